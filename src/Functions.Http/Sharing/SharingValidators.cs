using FluentValidation;

namespace TravelFunctions.Http.Sharing;

public sealed class CreateShareLinkRequestValidator : AbstractValidator<CreateShareLinkRequest>
{
    public CreateShareLinkRequestValidator() =>
        RuleFor(r => r.Label).Must(l => l!.Trim().Length is >= 1 and <= 100).When(r => r.Label is not null)
            .WithMessage("A label is 1 to 100 characters.");
}

using FluentValidation;

namespace TravelFunctions.Http.Notifications;

public sealed class DeliveryReportRequestValidator : AbstractValidator<DeliveryReportRequest>
{
    public DeliveryReportRequestValidator()
    {
        RuleFor(r => r.Channel).NotNull();
        RuleFor(r => r.Status).NotNull();
        RuleFor(r => r.Error).Length(1, 2000).When(r => r.Error is not null);
        RuleFor(r => r.Error).Null().When(r => r.Status == DeliveryStatus.Sent).WithMessage("Only a failed delivery has an error.");
    }
}

using FluentValidation;

namespace TravelFunctions.Http.ProviderKeys;

internal static class ProviderKeyRules
{
    // The service names of provider_key_services (checked against the table by the store: 404 when unknown).
    public const string Service = "^[a-z][a-z0-9_]{1,39}$";
    public const string ServiceMessage = "Service is a provider name such as 'openai' (GET /api/provider-key-services lists them).";
}

public sealed class AddProviderKeyRequestValidator : AbstractValidator<AddProviderKeyRequest>
{
    public AddProviderKeyRequestValidator()
    {
        RuleFor(r => r.Service).NotEmpty().Matches(ProviderKeyRules.Service).WithMessage(ProviderKeyRules.ServiceMessage);
        RuleFor(r => r.Label).NotEmpty().MaximumLength(100).Must(l => l == l?.Trim()).WithMessage("The label has no leading or trailing spaces.");
        // Provider keys are long random tokens: at least 8 characters (so that four can be shown), printable, no spaces.
        RuleFor(r => r.Key).NotEmpty().MinimumLength(8).MaximumLength(4000)
            .Matches(@"^[\x21-\x7E]+$").WithMessage("The key is printable ASCII without spaces, as providers issue them.");
    }
}

public sealed class GrantRequestValidator : AbstractValidator<GrantRequest>
{
    public GrantRequestValidator()
    {
        RuleFor(r => r.AgentClientId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.Service).NotEmpty().Matches(ProviderKeyRules.Service).WithMessage(ProviderKeyRules.ServiceMessage);
    }
}

public sealed class UseProviderKeyRequestValidator : AbstractValidator<UseProviderKeyRequest>
{
    public UseProviderKeyRequestValidator()
    {
        RuleFor(r => r.UserId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.Service).NotEmpty().Matches(ProviderKeyRules.Service).WithMessage(ProviderKeyRules.ServiceMessage);
        RuleFor(r => r.Label).NotEmpty().MaximumLength(100).When(r => r.Label is not null);
    }
}

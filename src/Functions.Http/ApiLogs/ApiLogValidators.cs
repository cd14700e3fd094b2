using FluentValidation;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ApiLogs;

public sealed class ApiLogBatchRequestValidator : AbstractValidator<ApiLogBatchRequest>
{
    public const int MaxLogs = 500;

    public ApiLogBatchRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Logs).NotNull()
            .Must(l => l!.Count is >= 1 and <= MaxLogs).When(r => r.Logs is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"logs holds 1 to {MaxLogs} entries.");
        RuleForEach(r => r.Logs).NotNull().SetValidator(new ApiLogInputValidator(clock));
    }
}

public sealed class ApiLogInputValidator : AbstractValidator<ApiLogInput>
{
    public const int MaxBodyBytes = 64 * 1024;
    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public ApiLogInputValidator(TimeProvider clock)
    {
        RuleFor(l => l.Provider).NotEmpty().Matches(@"^[A-Za-z0-9_.:-]{1,100}\z")
            .WithMessage("provider is 1 to 100 characters: letters, digits, '_', '.', ':', '-'.");
        RuleFor(l => l.Endpoint).NotEmpty().MaximumLength(2048);
        RuleFor(l => l.Method).NotEmpty().Must(m => Methods.Contains(m!.ToUpperInvariant())).When(l => l.Method is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"method is one of {string.Join(", ", Methods)}.");
        RuleFor(l => l.Status).InclusiveBetween(100, 599);
        RuleFor(l => l.DurationMs).NotNull().InclusiveBetween(0, 86_400_000);
        RuleFor(l => l.Request).Stored("request", MaxBodyBytes, objectOnly: false);
        RuleFor(l => l.Response).Stored("response", MaxBodyBytes, objectOnly: false);
        RuleFor(l => l.Error).Length(1, 8000);
        RuleFor(l => l.OccurredAt).Must(at => at <= clock.GetUtcNow() + EventBatchRequestValidator.MaxClockSkew).When(l => l.OccurredAt is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("occurredAt is in the future.");
    }
}

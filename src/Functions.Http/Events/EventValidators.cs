using System.Text;
using System.Text.Json;
using FluentValidation;

namespace TravelFunctions.Http.Events;

public sealed class EventBatchRequestValidator : AbstractValidator<EventBatchRequest>
{
    public const int MaxEvents = 1000;

    public EventBatchRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Events).NotNull()
            .Must(e => e!.Count is >= 1 and <= MaxEvents).When(r => r.Events is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"events holds 1 to {MaxEvents} events.");
        RuleForEach(r => r.Events).NotNull().SetValidator(new EventInputValidator(clock));
    }
}

public sealed class EventInputValidator : AbstractValidator<EventInput>
{
    public const int MaxDataBytes = 16 * 1024;
    /// <summary>Client clocks drift; an event further ahead than this did not happen yet.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public EventInputValidator(TimeProvider clock)
    {
        RuleFor(e => e.EventType).NotEmpty().Matches("^[A-Za-z0-9_.:-]{1,100}$")
            .WithMessage("eventType is 1 to 100 characters: letters, digits, '_', '.', ':', '-'.");
        RuleFor(e => e.Category).Matches("^[A-Za-z0-9_.:-]{1,50}$")
            .WithMessage("category is 1 to 50 characters: letters, digits, '_', '.', ':', '-'.");
        RuleFor(e => e.Data).Must(d => d!.Value.ValueKind == JsonValueKind.Object).When(e => e.Data is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("data must be a JSON object.")
            .Must(d => Encoding.UTF8.GetByteCount(d!.Value.GetRawText()) <= MaxDataBytes).When(e => e.Data is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage($"data is at most {MaxDataBytes / 1024} KiB of JSON.");
        RuleFor(e => e.SessionId).Length(1, 128);
        RuleFor(e => e.OccurredAt).Must(at => at <= clock.GetUtcNow() + MaxClockSkew).When(e => e.OccurredAt is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("occurredAt is in the future.");
    }
}

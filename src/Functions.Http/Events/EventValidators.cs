using FluentValidation;
using FluentValidation.Results;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Events;

/// <summary>
/// The batch's rules. The per-event checks are one hand-written pass (up to 1000 events per request, on the
/// ingest hot path: a child validator per event cost more CPU than the database write), with the same
/// messages and field keys a child validator would give: "events[3].occurredAt".
/// </summary>
public sealed class EventBatchRequestValidator : AbstractValidator<EventBatchRequest>
{
    public const int MaxEvents = 1000;
    public const int MaxDataBytes = 16 * 1024;
    /// <summary>Client clocks drift; an event further ahead than this did not happen yet.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public EventBatchRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Events).NotNull();
        RuleFor(r => r.Events).Must(e => e!.Count is >= 1 and <= MaxEvents).When(r => r.Events is not null)
            .WithMessage($"events holds 1 to {MaxEvents} events.");
        RuleFor(r => r.Events).Custom((events, ctx) =>
        {
            if (events is null) return;
            var latest = clock.GetUtcNow() + MaxClockSkew;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                // Field keys are built only for failures: this loop runs up to 1000 times per request.
                if (e is null) { ctx.AddFailure(new ValidationFailure($"events[{i}]", "An event is required.")); continue; }
                if (!Code(e.EventType, 100))
                    ctx.AddFailure(new ValidationFailure($"events[{i}].eventType", "eventType is 1 to 100 characters: letters, digits, '_', '.', ':', '-'."));
                if (e.Category is not null && !Code(e.Category, 50))
                    ctx.AddFailure(new ValidationFailure($"events[{i}].category", "category is 1 to 50 characters: letters, digits, '_', '.', ':', '-'."));
                if (e.Data is { } data && StoredJson.Problem(data, "data", MaxDataBytes, objectOnly: true) is { } dataProblem)
                    ctx.AddFailure(new ValidationFailure($"events[{i}].data", dataProblem));
                if (e.SessionId is { Length: < 1 or > 128 })
                    ctx.AddFailure(new ValidationFailure($"events[{i}].sessionId", "sessionId is 1 to 128 characters."));
                if (e.OccurredAt > latest)
                    ctx.AddFailure(new ValidationFailure($"events[{i}].occurredAt", "occurredAt is in the future."));
            }
        });
    }

    /// <summary>^[A-Za-z0-9_.:-]{1,max}$, the CHECK of user_events.event_type / category.</summary>
    private static bool Code(string? s, int max)
    {
        if (s is null || s.Length < 1 || s.Length > max) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-')) return false;
        return true;
    }
}

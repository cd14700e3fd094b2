using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.Events;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Events;

public static class EventsEndpoints
{
    public static IServiceCollection AddEvents(this IServiceCollection services) =>
        services.AddJsonContracts(EventsJson.Default)
            .AddSingleton<EventStore>()
            .AddSingleton<IValidator<EventBatchRequest>, EventBatchRequestValidator>();

    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapPost("/events", Ingest).WithName("IngestUserEvents").WithTags("Events").RequireAuthorization().Validate<EventBatchRequest>();
        return api;
    }

    /// <summary>All of the batch or nothing: the first bad event rejects it, named by its index.</summary>
    private static async Task<Results<Accepted<AcceptedBatch>, ValidationProblem>> Ingest(
        EventBatchRequest r, ClaimsPrincipal user, EventStore store, CancellationToken ct)
    {
        var events = r.Events!.Select(e => new NewEvent(e.EventType!, e.Category, e.Data?.GetRawText(), e.SessionId,
            e.DeviceType is { } d ? d.ToText() : null, e.OccurredAt)).ToList();
        return await store.AppendAsync(user.UserId(), events, ct) switch
        {
            EventBatchResult.OutsidePartitions o => Problems.Invalid($"events[{o.Index}].occurredAt",
                "occurredAt is outside the months this service keeps events for (about the last 12 months); nothing in the batch was written."),
            EventBatchResult.Accepted a => TypedResults.Accepted((string?)null, new AcceptedBatch(a.Count)),
            var other => throw new InvalidOperationException($"Unexpected {other}."),
        };
    }
}

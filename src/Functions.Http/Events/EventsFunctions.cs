using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Events;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Events;

public sealed class EventsFunctions(EventStore store)
{
    /// <summary>All of the batch or nothing: the first bad event rejects it, named by its index.</summary>
    [Function("IngestUserEvents")]
    public async Task<Results<Accepted<AcceptedBatch>, ValidationProblem>> Ingest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events")] HttpRequest req, [JsonBody] EventBatchRequest r)
    {
        var events = r.Events!.Select(e => new NewEvent(e.EventType!, e.Category, e.Data?.GetRawText(), e.SessionId,
            e.DeviceType is { } d ? d.ToText() : null, e.OccurredAt)).ToList();
        return await store.AppendAsync(req.UserId(), events, req.HttpContext.RequestAborted) switch
        {
            EventBatchResult.OutsidePartitions o => Problems.Invalid($"events[{o.Index}].occurredAt",
                "occurredAt is outside the months this service keeps events for (about the last 12 months); nothing in the batch was written."),
            EventBatchResult.Accepted a => TypedResults.Accepted((string?)null, new AcceptedBatch(a.Count)),
            var other => throw new InvalidOperationException($"Unexpected {other}."),
        };
    }
}

public static class EventsRegistration
{
    public static IServiceCollection AddEvents(this IServiceCollection services) =>
        services.AddJsonContracts(EventsJson.Default).AddSingleton<EventStore>();
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.ApiLogs;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ApiLogs;

/// <summary>A service function for the platform's agents: needs a token with scope agents:logs (docs/agents.md).</summary>
[Authorize(Policy = AgentScopes.LogsPolicy)]
public sealed class ApiLogsFunctions(ApiLogStore store)
{
    [Function("IngestExternalApiLogs")]
    public async Task<Results<Accepted<AcceptedBatch>, ValidationProblem>> Ingest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api-logs")] HttpRequest req, [JsonBody] ApiLogBatchRequest r)
    {
        var logs = r.Logs!.Select(l => new NewApiLog(l.UserId, l.Provider!, l.Endpoint!, l.Method!.ToUpperInvariant(), l.Status, l.DurationMs!.Value,
            l.Request?.GetRawText(), l.Response?.GetRawText(), l.Error, l.OccurredAt)).ToList();
        return await store.AppendAsync(logs, req.HttpContext.RequestAborted) switch
        {
            ApiLogBatchResult.OutsidePartitions o => Problems.Invalid($"logs[{o.Index}].occurredAt",
                "occurredAt is outside the months this service keeps logs for; nothing in the batch was written."),
            ApiLogBatchResult.UnknownUser u => Problems.Invalid($"logs[{u.Index}].userId", "No user has this id; nothing in the batch was written."),
            ApiLogBatchResult.Accepted a => TypedResults.Accepted((string?)null, new AcceptedBatch(a.Count)),
            var other => throw new InvalidOperationException($"Unexpected {other}."),
        };
    }
}

public static class ApiLogsRegistration
{
    public static IServiceCollection AddApiLogs(this IServiceCollection services) =>
        services.AddJsonContracts(ApiLogsJson.Default).AddSingleton<ApiLogStore>();
}

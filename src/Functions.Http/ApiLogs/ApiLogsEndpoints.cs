using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.ApiLogs;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ApiLogs;

public static class ApiLogsEndpoints
{
    public static IServiceCollection AddApiLogs(this IServiceCollection services) =>
        services.AddJsonContracts(ApiLogsJson.Default)
            .AddSingleton<ApiLogStore>()
            .AddSingleton<IValidator<ApiLogBatchRequest>, ApiLogBatchRequestValidator>();

    /// <summary>A service endpoint for the platform's agents: needs a token with scope agents:logs (docs/agents.md).</summary>
    public static RouteGroupBuilder MapApiLogs(this RouteGroupBuilder api)
    {
        api.MapPost("/api-logs", Ingest).WithName("IngestExternalApiLogs").WithTags("Agents")
            .RequireAuthorization(AgentScopes.LogsPolicy).Validate<ApiLogBatchRequest>();
        return api;
    }

    private static async Task<Results<Accepted<AcceptedBatch>, ValidationProblem>> Ingest(
        ApiLogBatchRequest r, ApiLogStore store, CancellationToken ct)
    {
        var logs = r.Logs!.Select(l => new NewApiLog(l.UserId, l.Provider!, l.Endpoint!, l.Method!.ToUpperInvariant(), l.Status, l.DurationMs!.Value,
            l.Request?.GetRawText(), l.Response?.GetRawText(), l.Error, l.OccurredAt)).ToList();
        return await store.AppendAsync(logs, ct) switch
        {
            ApiLogBatchResult.OutsidePartitions o => Problems.Invalid($"logs[{o.Index}].occurredAt",
                "occurredAt is outside the months this service keeps logs for; nothing in the batch was written."),
            ApiLogBatchResult.UnknownUser u => Problems.Invalid($"logs[{u.Index}].userId", "No user has this id; nothing in the batch was written."),
            ApiLogBatchResult.Accepted a => TypedResults.Accepted((string?)null, new AcceptedBatch(a.Count)),
            var other => throw new InvalidOperationException($"Unexpected {other}."),
        };
    }
}

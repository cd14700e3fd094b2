using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Connections;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Health;

public sealed record HealthResponse(string Status, string Database, long DatabaseMs);

public sealed class HealthFunctions(TravelDataSources sources, TimeProvider clock)
{
    /// <summary>200 when a trivial query answers within a short timeout through the pooled endpoint, else 503.</summary>
    [Function("Health")]
    [AllowAnonymous]
    public async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req)
    {
        var ct = req.HttpContext.RequestAborted;
        var started = clock.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var conn = await sources.Pooled.OpenConnectionAsync(timeout.Token);
            await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return TypedResults.Ok(new HealthResponse("healthy", "ok", (long)clock.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            req.HttpContext.Response.Headers.RetryAfter = "5";
            return TypedResults.Json(new HealthResponse("unhealthy", "unreachable", (long)clock.GetElapsedTime(started).TotalMilliseconds),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

public static class HealthRegistration
{
    public static IServiceCollection AddHealth(this IServiceCollection services) => services.AddJsonContracts(HealthJson.Default);
}

using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.Connections;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Health;

public sealed record HealthResponse(string Status, string Database, long DatabaseMs);

public static class HealthEndpoints
{
    public static IServiceCollection AddHealth(this IServiceCollection services) => services.AddJsonContracts(HealthJson.Default);

    public static RouteGroupBuilder MapHealth(this RouteGroupBuilder api)
    {
        api.MapGet("/health", Check).WithName("Health").WithTags("Health").AllowAnonymous();
        return api;
    }

    /// <summary>200 when a trivial query answers within a short timeout through the pooled endpoint, else 503.</summary>
    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Check(TravelDataSources sources, HttpContext http, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var conn = await sources.Pooled.OpenConnectionAsync(timeout.Token);
            await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return TypedResults.Ok(new HealthResponse("healthy", "ok", (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Json(new HealthResponse("unhealthy", "unreachable", (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

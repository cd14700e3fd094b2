using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Turns exceptions into problem details: anything a client sent becomes a 4xx, an unreachable
/// database a 503 with Retry-After, and only a real defect a 500.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var problem = Map(exception);
        if (problem is null)
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            return false; // the default handler answers 500 with a problem body
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            log.LogWarning(exception, "Database unavailable on {Method} {Path}", http.Request.Method, http.Request.Path);
            http.Response.Headers.RetryAfter = "5";
        }
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails? Map(Exception ex)
    {
        switch (ex)
        {
            case BadHttpRequestException { InnerException: JsonException json }:
                return Validation(ApiJson.FieldFromPath(json.Path), "The value is missing, malformed or of the wrong type.");
            case BadHttpRequestException bad when bad.StatusCode == 400:
                return Validation(ParameterName(bad.Message) ?? "request", bad.Message);
            case BadHttpRequestException bad:
                return new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message };
            case JsonException json:
                return Validation(ApiJson.FieldFromPath(json.Path), "The value is missing, malformed or of the wrong type.");
            case AccountInactiveException:
                return new ProblemDetails { Status = 401, Title = "Unauthorized", Detail = "The account is no longer active." };
            case PostgresException pg when pg.SqlState == "23505":
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = $"A conflicting record exists ({pg.ConstraintName})." };
            case PostgresException pg when pg.SqlState == "23503":
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = $"A related record is missing or still referenced ({pg.ConstraintName})." };
            case PostgresException pg when pg.SqlState is "23514" or "23502" || pg.SqlState.StartsWith("22", StringComparison.Ordinal):
                return new ProblemDetails { Status = 400, Title = "Invalid request", Detail = $"The request violates a rule of the data ({pg.ConstraintName ?? pg.MessageText})." };
            case PostgresException { SqlState: "42501" }:
                // Row-level security refused a write the endpoint did not pre-check: not permitted, nothing written.
                return new ProblemDetails { Status = 403, Title = "Forbidden", Detail = "You are not permitted to change this resource." };
            case PostgresException { SqlState: "40001" or "40P01" }:
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = "A concurrent change won; retry the request." };
            case Exception e when TransientFailures.IsUnavailable(e):
                return new ProblemDetails { Status = 503, Title = "Service unavailable", Detail = "The database is unreachable right now. Retry shortly." };
            default:
                return null;
        }
    }

    private static ValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "One or more validation errors occurred.",
        };

    // "Failed to bind parameter "Guid tripId" from "abc"." → "tripId"
    private static string? ParameterName(string message)
    {
        var start = message.IndexOf('"');
        if (start < 0) return null;
        var end = message.IndexOf('"', start + 1);
        if (end < 0) return null;
        var inner = message[(start + 1)..end];
        var space = inner.LastIndexOf(' ');
        return space >= 0 ? inner[(space + 1)..] : inner;
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Turns exceptions into problem details: anything a client sent becomes a 4xx, an unreachable database a 503
/// with Retry-After, and only a real defect a 500. The answer is the invocation's result, which the ASP.NET Core
/// integration writes to the response; a thrown invocation would leave the HTTP request waiting for its timeout.
/// </summary>
public sealed class ProblemMiddleware(ILogger<ProblemMiddleware> log) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            var problem = Map(ex);
            if (problem is null)
            {
                log.LogError(ex, "Unhandled error in {Function} on {Method} {Path}", context.FunctionDefinition.Name, http.Request.Method, http.Request.Path);
                problem = new ProblemDetails { Status = 500, Title = "Internal error", Detail = "Something went wrong on our side; it has been logged." };
            }
            else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            {
                log.LogWarning(ex, "Database unavailable in {Function}", context.FunctionDefinition.Name);
                http.Response.Headers.RetryAfter = "5";
            }
            else if (ex is PostgresException pg)
            {
                // The client hears what kind of rule failed; which one (and PostgreSQL's words) is for the logs only.
                log.LogWarning("{Function} answered {Status}: {SqlState} {Constraint} {Message}",
                    context.FunctionDefinition.Name, problem.Status, pg.SqlState, pg.ConstraintName, pg.MessageText);
            }
            context.GetInvocationResult().Value = TypedResults.Problem(problem);
        }
        // The result is written after this middleware returns, by the ASP.NET Core integration: buffered, so that a
        // failure while writing it is still a clean, logged 500 (see BufferedResult).
        if (context.GetHttpContext() is not null && context.GetInvocationResult() is { Value: IResult result } invocation)
            invocation.Value = new BufferedResult(result, context.FunctionDefinition.Name, log);
    }

    internal static ProblemDetails? Map(Exception ex)
    {
        switch (ex)
        {
            case Exception e when BodyTooLarge(e):
                return new ProblemDetails { Status = 413, Title = "Request body too large", Detail = "The request body is larger than this operation takes." };
            case RequestValidationException invalid:
                return Validation(invalid.Errors);
            case UnsupportedMediaTypeException media:
                return new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = media.Message };
            case ClientJsonException json:
                return Validation(ApiJson.FieldFromPath(json.Path), json.Message);
            case JsonException json:
                return Validation(ApiJson.FieldFromPath(json.Path), "The value is missing, malformed or of the wrong type.");
            case BadHttpRequestException bad:
                // Kestrel's own refusals (a body over the size limit, a body cut short): its status, our words.
                return new ProblemDetails { Status = bad.StatusCode, Title = bad.StatusCode == 413 ? "Content too large" : "Bad request", Detail = "The request could not be read (too large, or cut short)." };
            case FunctionInputConverterException converter:
                return Validation(InputName(converter.Message) ?? "request", "The value is malformed or of the wrong type.");
            case AccountInactiveException:
                return new ProblemDetails { Status = 401, Title = "Unauthorized", Detail = "The account is no longer active." };
            case PostgresException pg when pg.SqlState == "23505":
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = "A conflicting record exists." };
            case PostgresException pg when pg.SqlState == "23503":
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = "A related record is missing or still referenced." };
            case PostgresException pg when pg.SqlState is "23514" or "23502" || pg.SqlState.StartsWith("22", StringComparison.Ordinal):
                // A gap between the validators and the schema (issue 13): the validators are meant to catch it first.
                return new ProblemDetails { Status = 400, Title = "Invalid request", Detail = "The request breaks a rule of the stored data." };
            case PostgresException { SqlState: "42501" }:
                // Row-level security refused a write the function did not pre-check: not permitted, nothing written.
                return new ProblemDetails { Status = 403, Title = "Forbidden", Detail = "You are not permitted to change this resource." };
            case PostgresException { SqlState: "40001" or "40P01" }:
                return new ProblemDetails { Status = 409, Title = "Conflict", Detail = "A concurrent change won; retry the request." };
            case Exception e when TransientFailures.IsUnavailable(e):
                return new ProblemDetails { Status = 503, Title = "Service unavailable", Detail = "The database is unreachable right now. Retry shortly." };
            default:
                return null;
        }
    }

    // The server cuts off a body past the function's [RequestSizeLimit] while it is read (possibly inside a binding).
    private static bool BodyTooLarge(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }

    private static ValidationProblemDetails Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    private static ValidationProblemDetails Validation(IDictionary<string, string[]> errors) =>
        new(errors) { Status = 400, Title = "One or more validation errors occurred." };

    // The worker's own binding failure (a route value that is not a UUID, say) names the parameter like this:
    // "… Cannot convert input parameter 'tripId' to type …".
    private static string? InputName(string message)
    {
        const string marker = "input parameter '";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0) return null;
        start += marker.Length;
        var end = message.IndexOf('\'', start);
        return end > start ? message[start..end] : null;
    }
}

/// <summary>A request whose values break the API's rules: 400 with the field errors, nothing written.</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors)
    : Exception("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;

    public RequestValidationException(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] }) { }
}

/// <summary>A body that is not JSON: 415.</summary>
public sealed class UnsupportedMediaTypeException(string message) : Exception(message);

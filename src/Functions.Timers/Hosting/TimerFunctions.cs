using System.Text.Json;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Scheduling;

namespace TravelFunctions.Timers.Hosting;

/// <summary>
/// The custom-handler contract for timer functions. The host POSTs
/// {"Data":{"timer":{"Schedule":{…},"ScheduleStatus":{…}|null,"IsPastDue":bool}},"Metadata":{"sys":{…}}}
/// to /{FunctionName} and reads {"Outputs":{},"Logs":[…],"ReturnValue":null}. 2xx = the invocation
/// succeeded (done, nothing to do, contended, partial); 500 = it failed (a unit or the ledger failed).
/// The host drops the Logs of a failed invocation, so failures also go to stderr.
/// </summary>
public static class TimerFunctions
{
    public const string InvocationIdHeader = "x-azure-functions-invocationid";

    private static readonly JsonSerializerOptions PascalCase = new() { PropertyNamingPolicy = null };

    public static IEndpointRouteBuilder MapTimerFunctions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{functionName}", InvokeAsync);
        return app;
    }

    private static async Task<IResult> InvokeAsync(string functionName, HttpContext http, JobCatalog catalog, JobRunner runner,
        IHostApplicationLifetime lifetime, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("TravelFunctions.Timers.Invocation");
        var invocationId = http.Request.Headers[InvocationIdHeader].FirstOrDefault() is { Length: > 0 } id ? id : Guid.NewGuid().ToString();
        var lines = new List<string>();

        if (catalog.Find(functionName) is not { } job)
        {
            lines.Add($"No timer function named '{functionName}'. Known: {string.Join(", ", catalog.Jobs.Select(j => j.Name))}.");
            log.LogWarning("{Message}", lines[0]);
            return Answer(StatusCodes.Status404NotFound, lines);
        }

        string body;
        using (var reader = new StreamReader(http.Request.Body)) body = await reader.ReadToEndAsync(http.RequestAborted);
        if (!TryReadTimer(body, out var isPastDue, out var problem))
        {
            lines.Add($"{job.Name}: invocation {invocationId} rejected: {problem}");
            log.LogWarning("{Message}", lines[0]);
            return Answer(StatusCodes.Status400BadRequest, lines);
        }
        if (isPastDue)
        {
            lines.Add($"{job.Name}: timer is past due (a schedule was missed); running now.");
            log.LogInformation("{Job}: timer is past due", job.Name);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var result = await runner.RunAsync(job.Job, invocationId, dryRun: false, stop.Token);
        lines.AddRange(result.Lines());
        if (!result.Succeeded)
        {
            // The host drops Logs of failed invocations: stderr reaches its log stream either way.
            foreach (var line in result.Lines()) Console.Error.WriteLine($"[{invocationId}] {line}");
            return Answer(StatusCodes.Status500InternalServerError, lines);
        }
        return Answer(StatusCodes.Status200OK, lines);
    }

    /// <summary>
    /// Tolerant reading: an empty body or one without Data is a plain invocation; only a body that is not
    /// a JSON object, or a Data that is not an object, is refused. IsPastDue only adds a log line.
    /// </summary>
    internal static bool TryReadTimer(string body, out bool isPastDue, out string? problem)
    {
        isPastDue = false;
        problem = null;
        if (string.IsNullOrWhiteSpace(body)) return true;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { problem = "the body is not a JSON object"; return false; }
            if (!doc.RootElement.TryGetProperty("Data", out var data) || data.ValueKind == JsonValueKind.Null) return true;
            if (data.ValueKind != JsonValueKind.Object) { problem = "Data is not a JSON object"; return false; }
            if (data.TryGetProperty("timer", out var timer) && timer.ValueKind == JsonValueKind.Object
                && timer.TryGetProperty("IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True)
                isPastDue = true;
            return true;
        }
        catch (JsonException ex)
        {
            problem = "the body is not valid JSON: " + ex.Message;
            return false;
        }
    }

    private static IResult Answer(int status, IReadOnlyList<string> lines) =>
        TypedResults.Json(new InvocationResponse(new Dictionary<string, object?>(), lines, null), PascalCase, statusCode: status);

    /// <summary>The custom handler's response body; every answer has this shape, never an empty body.</summary>
    public sealed record InvocationResponse(Dictionary<string, object?> Outputs, IReadOnlyList<string> Logs, object? ReturnValue);
}

using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace TravelFunctions.SampleWorker;

/// <summary>HTTP functions that report what reached them, so tests can pin what the host supplies.</summary>
public sealed class HttpFunctions
{
    /// <summary>The route value arrives as a bound parameter; q as a bound parameter from the query binding data.</summary>
    [Function("GetItem")]
    public IResult GetItem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id}")] HttpRequest req, string id, string? q) =>
        Results.Json(new { id, q, queryString = req.QueryString.Value, method = req.Method });

    /// <summary>A literal route beside items/{id}: the host prefers it.</summary>
    [Function("GetSpecialItem")]
    public IResult GetSpecialItem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/special")] HttpRequest req) =>
        Results.Json(new { id = "special" });

    /// <summary>No methods: every method.</summary>
    [Function("AnyMethod")]
    public IResult AnyMethod([HttpTrigger(AuthorizationLevel.Anonymous, Route = "any")] HttpRequest req) =>
        Results.Json(new { method = req.Method });

    /// <summary>Streams the body back as it arrives, with what the worker saw of the pairing and the trace.</summary>
    [Function("Echo")]
    public IResult Echo([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "echo")] HttpRequest req, FunctionContext context)
    {
        var headers = req.HttpContext.Response.Headers;
        headers["x-seen-invocation-id"] = req.Headers["x-ms-invocation-id"].ToString();
        headers["x-seen-context-invocation-id"] = context.InvocationId;
        headers["x-seen-traceparent"] = req.Headers.TraceParent.ToString();
        headers["x-seen-activity-trace-id"] = Activity.Current?.TraceId.ToString() ?? "";
        // The worker applies the host's X-Forwarded-* headers: Host is the front door's, not the worker's own.
        headers["x-seen-host"] = req.Host.Value;
        return Results.Stream(req.Body, req.ContentType ?? "application/octet-stream");
    }

    /// <summary>Reads the body as it arrives; once the first bytes are in, says so with the file
    /// &lt;state&gt;/&lt;token&gt;.first, so a client can hold the rest back until then. Answers the byte count.</summary>
    [Function("Upload")]
    public async Task<IResult> Upload([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "upload/{token}")] HttpRequest req, string token)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await req.Body.ReadAsync(buffer)) > 0)
        {
            if (total == 0) await File.WriteAllTextAsync(StateFile(token + ".first"), "");
            total += read;
        }
        return Results.Json(new { total });
    }

    /// <summary>Writes and flushes a first part, then waits for the file &lt;state&gt;/&lt;token&gt;.go before the rest,
    /// so a client can read the first part while the function still runs.</summary>
    [Function("Drip")]
    public async Task Drip([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "drip/{token}")] HttpRequest req, string token)
    {
        var response = req.HttpContext.Response;
        response.ContentType = "text/plain";
        await response.WriteAsync("first|");
        await response.Body.FlushAsync();
        var go = StateFile(token + ".go");
        while (!File.Exists(go)) await Task.Delay(50, req.HttpContext.RequestAborted);
        await response.WriteAsync("rest");
    }

    [Function("Fail")]
    public IResult Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "fail")] HttpRequest req) =>
        throw new InvalidOperationException("The sample function failed on purpose.");

    private static string StateFile(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("SampleStateDirectory") ?? throw new InvalidOperationException("SampleStateDirectory is not set."), name);

    /// <summary>An environment variable as the worker sees it (404 when unset).</summary>
    [Function("GetEnvironment")]
    public IResult GetEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "env/{name}")] HttpRequest req, string name) =>
        Environment.GetEnvironmentVariable(name) is { } value ? Results.Json(new { name, value }) : Results.NotFound();
}

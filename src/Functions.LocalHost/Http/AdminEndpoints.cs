using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TravelFunctions.LocalHost.Http;

/// <summary>The host's admin endpoints that scripts and tests use, without keys:
/// GET /admin/host/status and POST /admin/functions/{name} (run a non-HTTP function now).</summary>
internal sealed class AdminEndpoints(Func<string, LoadedFunction?> findFunction, Action<LoadedFunction> invokeInBackground)
{
    private const string FunctionsPrefix = "/admin/functions/";
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public static bool Handles(PathString path) => path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (HttpMethods.IsGet(request.Method) && path.Equals("/admin/host/status", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsJsonAsync(new HostStatus("localhost", "Running", "local",
                (long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds));
            return;
        }
        if (HttpMethods.IsPost(request.Method) && path.StartsWith(FunctionsPrefix, StringComparison.OrdinalIgnoreCase)
            && path.IndexOf('/', FunctionsPrefix.Length) < 0)
        {
            await InvokeAsync(context, path[FunctionsPrefix.Length..]);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>As the host: 400 without a JSON object body ({} is enough; its "input" is not used for
    /// timers), 404 for an unknown function, else 202 and the function runs in the background.</summary>
    private async Task InvokeAsync(HttpContext context, string name)
    {
        if (!await HasJsonObjectBodyAsync(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (findFunction(name) is not { } function)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!function.IsTimer)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"The local host invokes only timer functions this way; '{function.Name}' is {function.TriggerType}.");
            return;
        }
        invokeInBackground(function);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task<bool> HasJsonObjectBodyAsync(HttpRequest request)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return body.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record HostStatus(string Id, string State, string Version, long ProcessUptime);
}

namespace TravelFunctions.Timers.Hosting;

/// <summary>
/// Azure Functions custom-handler hosting: the host starts this executable with
/// FUNCTIONS_CUSTOMHANDLER_PORT and POSTs each timer invocation to 127.0.0.1 on that port.
/// Without the host (scripts/run.sh: port 7072) the app schedules the jobs itself (LocalScheduler).
/// </summary>
public static class TimerHosting
{
    public static string? CustomHandlerPort => Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") is { Length: > 0 } port ? port : null;

    /// <summary>True when the Functions host runs us (it owns the schedules then).</summary>
    public static bool IsHosted => CustomHandlerPort is not null;

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root = the executable's folder, whatever directory the host starts us in.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (CustomHandlerPort is { } port) builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return builder;
    }
}

namespace TravelFunctions.Http.Hosting;

/// <summary>
/// Azure Functions custom-handler hosting: the host starts this executable with
/// FUNCTIONS_CUSTOMHANDLER_PORT and proxies HTTP requests to 127.0.0.1 on that port.
/// Locally (no host) the app listens where --urls / ASPNETCORE_URLS say (scripts/run.sh: 7071).
/// </summary>
public static class CustomHandlerHosting
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root = the executable's folder, whatever directory the host starts us in.
        // The slim builder and no config file watching keep the cold start short: the Functions host starts an
        // instance per scale-out and settings only change by restarting it. Kestrel over HTTP only (the host
        // terminates TLS), console logging, appsettings.json + environment variables, as before.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") is { Length: > 0 } port)
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return builder;
    }
}

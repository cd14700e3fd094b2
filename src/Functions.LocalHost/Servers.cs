using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TravelFunctions.LocalHost.Worker;

namespace TravelFunctions.LocalHost;

/// <summary>The host's two Kestrel servers, both on 127.0.0.1: the gRPC endpoint the worker connects to
/// (HTTP/2 without TLS) and the HTTP front door (HTTP/1.1).</summary>
internal static class Servers
{
    // The host's default limit on request bodies (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT unset): 100 MB.
    private const long MaxRequestBodySize = 104_857_600;

    public static async Task<(WebApplication Server, Uri Address)> StartGrpcAsync(WorkerChannel channel, OutputLog output, CancellationToken ct)
    {
        var builder = CreateBuilder(output);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            // The host lets messages of any size through (it passes int.MaxValue to the worker too).
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(ct);
        return (app, AddressOf(app));
    }

    public static async Task<(WebApplication Server, Uri Address)> StartFrontDoorAsync(int port, Func<IServiceProvider, RequestDelegate> handler, OutputLog output, CancellationToken ct)
    {
        var builder = CreateBuilder(output);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false; // the worker's own headers go back as they are
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(handler(app.Services));
        await app.StartAsync(ct);
        return (app, AddressOf(app));
    }

    private static WebApplicationBuilder CreateBuilder(OutputLog output)
    {
        // Production whatever ASPNETCORE_ENVIRONMENT says (run.sh sets Development for the apps): no developer pages.
        // The servers read no files: content root = the host's own folder, not the caller's working directory, and no
        // configuration reload, whose file watcher would watch that whole directory tree and wake on every change under
        // it (run from /tmp, on every temporary file of every other process: ~2 % of the host's CPU under bench/http.sh).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new OutputLoggerProvider(output));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Not the console lifetime: the servers must not stop on the process's Ctrl-C or SIGTERM, nor hold up its exit.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        return builder;
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static Uri AddressOf(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}

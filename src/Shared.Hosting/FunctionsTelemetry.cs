using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TravelFunctions.Hosting;

/// <summary>
/// OpenTelemetry from the worker (host.json says <c>"telemetryMode": "OpenTelemetry"</c>): the worker's invocation
/// spans, Npgsql and outgoing HTTP spans and metrics, and logs. Exported to Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, authenticating with the app's managed identity (Entra auth:
/// the resource rejects instrumentation-key-only ingestion); to the console when <c>Telemetry__Console</c> is true
/// (scripts/run.sh); otherwise nowhere (tests and benchmarks).
/// </summary>
public static class FunctionsTelemetry
{
    public static IServiceCollection AddFunctionsTelemetry(this IServiceCollection services, IConfiguration config)
    {
        // Read now, to decide what to wire (nothing at all in tests and benchmarks), and bound as typed options too.
        services.AddOptions<TelemetryOptions>().Bind(config);
        var settings = config.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var appInsights = settings.AppInsightsConnectionString;
        var console = settings.Console;
        if (string.IsNullOrWhiteSpace(appInsights) && !console) return services;

        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        telemetry.WithTracing(tracing =>
        {
            tracing.AddNpgsql().AddHttpClientInstrumentation();
            if (console) tracing.AddConsoleExporter();
        });
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddNpgsqlInstrumentation().AddHttpClientInstrumentation();
            if (console) metrics.AddConsoleExporter();
        });
        telemetry.WithLogging(logging =>
        {
            if (console) logging.AddConsoleExporter();
        });
        if (!string.IsNullOrWhiteSpace(appInsights))
        {
            var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(settings.ManagedIdentityClientId
                ?? throw new InvalidOperationException("APPLICATIONINSIGHTS_CONNECTION_STRING is set but AZURE_CLIENT_ID (the app's managed identity) is not.")));
            void Configure(AzureMonitorExporterOptions o) => o.ConnectionString = appInsights;
            telemetry.WithTracing(t => t.AddAzureMonitorTraceExporter(Configure, credential));
            telemetry.WithMetrics(m => m.AddAzureMonitorMetricExporter(Configure, credential));
            telemetry.WithLogging(l => l.AddAzureMonitorLogExporter(Configure, credential));
        }
        return services;
    }
}

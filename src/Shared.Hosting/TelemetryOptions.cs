using Microsoft.Extensions.Configuration;

namespace TravelFunctions.Hosting;

/// <summary>
/// Where the worker's telemetry goes: APPLICATIONINSIGHTS_CONNECTION_STRING (Azure Monitor, with the user-assigned
/// managed identity AZURE_CLIENT_ID) and Telemetry__Console (local runs).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>App settings at the configuration root (the platform's own names).</summary>
    public const string Section = "";

    [ConfigurationKeyName("APPLICATIONINSIGHTS_CONNECTION_STRING")]
    public string? AppInsightsConnectionString { get; set; }

    [ConfigurationKeyName("AZURE_CLIENT_ID")]
    public string? ManagedIdentityClientId { get; set; }

    [ConfigurationKeyName("Telemetry:Console")]
    public bool Console { get; set; }
}

using System.Text.Json;

namespace TravelFunctions.LocalHost.Functions;

/// <summary>The few host.json settings the local host honours.</summary>
internal static class HostJson
{
    private const string DefaultRoutePrefix = "api";

    /// <summary>extensions.http.routePrefix; "api" when host.json or the setting is missing, as in the host.</summary>
    public static string ReadRoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path)) return DefaultRoutePrefix;
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix) && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : DefaultRoutePrefix;
    }
}

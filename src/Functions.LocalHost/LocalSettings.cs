using System.Text.Json;

namespace TravelFunctions.LocalHost;

/// <summary>The "Values" of a local.settings.json, as func start reads them: a value the environment
/// already defines is skipped (the environment wins).</summary>
internal static class LocalSettings
{
    public static Dictionary<string, string> Read(string? path)
    {
        var values = new Dictionary<string, string>();
        if (path is null) return values;
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("Values", out var section) || section.ValueKind != JsonValueKind.Object) return values;
        foreach (var setting in section.EnumerateObject())
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(setting.Name))) continue;
            values[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText();
        }
        return values;
    }
}

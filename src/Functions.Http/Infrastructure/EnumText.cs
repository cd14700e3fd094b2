using System.Text.Json;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>Enums travel as snake_case text (JSON and database alike): PremiumEconomy ⇄ "premium_economy".</summary>
public static class EnumText
{
    public static string ToText<T>(this T value) where T : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string? ToText<T>(this T? value) where T : struct, Enum => value?.ToText();

    public static T Parse<T>(string text) where T : struct, Enum =>
        Enum.Parse<T>(text.Replace("_", ""), ignoreCase: true);

    /// <summary>Query-string enums in their JSON spelling ("in_progress"), nothing else: absent is true with null.</summary>
    public static bool TryParseText<T>(string? text, out T? value) where T : struct, Enum
    {
        value = null;
        if (text is null) return true;
        foreach (var candidate in Enum.GetValues<T>())
            if (candidate.ToText() == text) { value = candidate; return true; }
        return false;
    }

    public static string Allowed<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => v.ToText()));

    public static T? ParseOrNull<T>(string? text) where T : struct, Enum => text is null ? null : Parse<T>(text);
}

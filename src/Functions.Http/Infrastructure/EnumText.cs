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

    public static T? ParseOrNull<T>(string? text) where T : struct, Enum => text is null ? null : Parse<T>(text);
}

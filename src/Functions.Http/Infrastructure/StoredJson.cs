using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Client JSON the API stores as it is (chat metadata, event data, API-log bodies, search results): checked at write
/// time so that everything stored can be written back. Depth: at most <see cref="MaxDepth"/> levels ({} is one).
/// Size: the UTF-8 text as sent, per field (each field's bound is in its validator and docs/architecture.md, Strict JSON). The text rules
/// every body follows (no NUL, no lone surrogates, bounded numbers) are <see cref="JsonBodyText"/>'s.
/// </summary>
public static class StoredJson
{
    public const int MaxDepth = 16;

    /// <summary>How deeply the value nests: 0 for a scalar, 1 for {} or [], 2 for {"a": []} …</summary>
    public static int Depth(JsonElement value)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(value));
        var max = 0;
        while (reader.Read())
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > max)
                max = reader.CurrentDepth + 1;
        return max;
    }

    public static int Utf8Length(JsonElement value) => JsonMarshal.GetRawUtf8Value(value).Length;

    /// <summary>The failure message for a value stored in <paramref name="field"/>, or null when it may be stored.</summary>
    public static string? Problem(JsonElement value, string field, int maxBytes, bool objectOnly)
    {
        if (objectOnly && value.ValueKind != JsonValueKind.Object) return $"{field} must be a JSON object.";
        if (Utf8Length(value) > maxBytes) return $"{field} is at most {Size(maxBytes)} of JSON.";
        if (Depth(value) > MaxDepth) return $"{field} nests at most {MaxDepth} levels deep.";
        return null;
    }

    /// <summary>The rule for a stored JSON member of a request: absent is fine, else <see cref="Problem"/>.</summary>
    public static IRuleBuilderOptionsConditions<T, JsonElement?> Stored<T>(this IRuleBuilder<T, JsonElement?> rule, string field, int maxBytes, bool objectOnly) =>
        rule.Custom((value, context) =>
        {
            if (value is { } v && Problem(v, field, maxBytes, objectOnly) is { } message) context.AddFailure(message);
        });

    private static string Size(int bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MiB" : $"{bytes / 1024} KiB";
}

/// <summary>
/// JSON as the database returned it (jsonb read as text), written into a response as it is: never parsed again, so
/// what was stored can always be read back (it was checked when written).
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(string Text)
{
    public static RawJson? From(string? text) => text is null ? null : new RawJson(text);
}

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    // PostgreSQL's own text of a jsonb value: valid JSON by construction, so the writer need not check it again.
    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Text, skipInputValidation: true);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// ISO 8601 date-times that must carry their offset ("2025-06-01T09:30:00+02:00" or "...Z"). The default
/// reader would take "2025-06-01T09:30:00" as server-local time: a booking's or an event's time would depend on the
/// host. Registered for every DateTimeOffset the API reads (ApiJson).
/// </summary>
public sealed partial class OffsetDateTimeConverter : JsonConverter<DateTimeOffset>
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex WithOffset();

    public const string Message = "Must be an ISO 8601 date-time with an offset, e.g. 2025-06-01T09:30:00+02:00.";

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && WithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value)
            ? value
            : throw new ClientJsonException(Message);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>A JSON error whose message is meant for the client (no .NET type names in it): the 400 carries it.</summary>
public sealed class ClientJsonException(string message) : JsonException(message);

using System.Globalization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

/// <summary>Parsing of the list query's text values (shared by its validator and the handler).</summary>
public static class BookingQuery
{
    /// <summary>Exactly the snake_case text the API writes ("car_rental"); not numbers, not "CarRental".</summary>
    public static bool TryParseEnum<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
            if (candidate.ToText() == text)
            {
                value = candidate;
                return true;
            }
        value = default;
        return false;
    }

    /// <summary>A date means the whole day in UTC (from: its start, to: its last microsecond); a date-time needs its offset.</summary>
    public static bool TryParseBound(string? text, bool upper, out DateTimeOffset value)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            value = upper ? start.AddTicks(TimeSpan.TicksPerDay - 10) : start; // not AddDays(1): 9999-12-31 has no next day
            return true;
        }
        return OffsetDateTimeConverter.TryParse(text, out value);
    }

    /// <summary>The keyset position (created_at, id) of the last row of the previous page.</summary>
    public static string EncodeCursor(DateTimeOffset createdAt, Guid id) =>
        Cursor.Encode(createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture), id.ToString("N"));

    public static bool TryDecodeCursor(string? cursor, out DateTimeOffset createdAt, out Guid id)
    {
        createdAt = default;
        id = default;
        if (!Cursor.TryDecode(cursor, 2, out var parts)
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out id))
            return false;
        createdAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}

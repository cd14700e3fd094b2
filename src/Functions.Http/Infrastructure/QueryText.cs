using System.Globalization;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Optional query parameters bind as text and are parsed here, so a malformed value is a 400 that names the
/// parameter. (Bound as int?/Guid?/DateOnly?, the compile-time request delegate generator would answer a
/// malformed value with an empty 400 naming nothing.)
/// </summary>
public static class QueryText
{
    /// <summary>Absent or empty → true with null; well-formed → true with the value; anything else → false.</summary>
    public static bool TryParse<T>(string? text, out T? value) where T : struct, IParsable<T>
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var parsed)) return false;
        value = parsed;
        return true;
    }

    /// <summary>The page size: absent → the default; otherwise a whole number from 1 to <see cref="Cursor.MaxLimit"/>.</summary>
    public static bool TryReadLimit(string? text, out int limit)
    {
        limit = Cursor.DefaultLimit;
        if (!TryParse<int>(text, out var parsed) || parsed is < 1 or > Cursor.MaxLimit) return false;
        limit = parsed ?? Cursor.DefaultLimit;
        return true;
    }

    public static readonly string LimitRule = $"limit must be a whole number between 1 and {Cursor.MaxLimit}.";
}

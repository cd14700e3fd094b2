using System.Buffers.Text;
using System.Text;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Opaque keyset-pagination cursors: the sort key of the last row of a page, base64url-encoded.
/// Clients pass them back unchanged; a tampered cursor is a 400, never a 500.
/// </summary>
public static class Cursor
{
    public static string Encode(params string[] parts) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));

    public static bool TryDecode(string? cursor, int expectedParts, out string[] parts)
    {
        parts = [];
        if (string.IsNullOrEmpty(cursor)) return false;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('\u001f');
            return parts.Length == expectedParts;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// The one cursor encoding of every list: the keyset's sort value (ISO 8601, round-trip exact) and id,
/// base64url-encoded. Clients pass it back unchanged; anything else is a 400, never a 500.
/// </summary>
public static class KeysetCursor
{
    private const char Separator = '~';

    public static string Encode<T>(Keyset<T> keyset) where T : struct, IFormattable =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            keyset.Value.ToString("O", CultureInfo.InvariantCulture) + Separator + keyset.Id.ToString("N")));

    public static bool TryDecode<T>(string text, out Keyset<T> keyset) where T : struct, IParsable<T>
    {
        keyset = default;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return false;
        }
        var at = decoded.LastIndexOf(Separator);
        if (at < 0 || !T.TryParse(decoded[..at], CultureInfo.InvariantCulture, out var value)
            || !Guid.TryParseExact(decoded[(at + 1)..], "N", out var id))
            return false;
        keyset = new Keyset<T>(value, id);
        return true;
    }
}

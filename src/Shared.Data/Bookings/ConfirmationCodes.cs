using System.Security.Cryptography;

namespace TravelFunctions.Data.Bookings;

/// <summary>
/// Short codes people read over the phone: 8 characters from an alphabet without look-alikes
/// (no O/0, I/1). 32 symbols ^ 8 ≈ 10^12 codes, so a collision is rare; the store retries on one.
/// </summary>
public class ConfirmationCodes
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public const int Length = 8;

    public virtual string Next() => new(RandomNumberGenerator.GetItems<char>(Alphabet, Length));
}

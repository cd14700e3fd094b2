using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace TravelFunctions.Data.Archive;

/// <summary>
/// SHA-256 and CSV record count of a byte stream, fed in chunks as it flows (nothing buffered).
/// Records are counted the way PostgreSQL writes CSV: a newline ends a record unless it is inside a
/// quoted field; a quote inside a field is doubled, so toggling on every quote tracks that exactly.
/// </summary>
public sealed class CsvDigest : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _inQuotes;
    private long _records;
    private string? _hash;

    public long Bytes { get; private set; }

    /// <summary>Records seen, header line included.</summary>
    public long Records => _records;

    /// <summary>Data rows, given a header line (never negative).</summary>
    public long DataRows => Math.Max(0, _records - 1);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_hash is not null) throw new InvalidOperationException("The digest is already finished.");
        _sha.AppendData(data);
        Bytes += data.Length;
        _records += CountRecordEnds(data, ref _inQuotes);
    }

    /// <summary>Lower-case hex SHA-256 of everything appended.</summary>
    public string Sha256Hex => _hash ??= Convert.ToHexStringLower(_sha.GetHashAndReset());

    /// <summary>False when the stream ended inside a quoted field (a truncated stream).</summary>
    public bool EndedCleanly => !_inQuotes;

    public void Dispose() => _sha.Dispose();

    /// <summary>
    /// Newlines outside quoted fields, 64 bytes at a time: bit masks of the quotes and newlines from vector compares;
    /// "inside quotes" at each position is the XOR of all quote bits up to it (a prefix XOR, carried across blocks).
    /// JSON columns put a dozen quotes in every row, so finding them one by one cost more than hashing the bytes.
    /// </summary>
    internal static long CountRecordEnds(ReadOnlySpan<byte> data, ref bool inQuotes)
    {
        long records = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var start = ref MemoryMarshal.GetReference(data);
            var carry = inQuotes ? ulong.MaxValue : 0UL;
            for (; i + 64 <= data.Length; i += 64)
            {
                var (quotes, newlines) = Masks(ref start, (nuint)i);
                var inside = PrefixXor(quotes) ^ carry;
                records += BitOperations.PopCount(newlines & ~inside);
                carry = (ulong)((long)inside >> 63);  // the state after this block, in every bit
            }
            inQuotes = carry != 0;
        }
        for (; i < data.Length; i++)
        {
            if (data[i] == (byte)'"') inQuotes = !inQuotes;
            else if (data[i] == (byte)'\n' && !inQuotes) records++;
        }
        return records;
    }

    private static (ulong Quotes, ulong Newlines) Masks(ref byte start, nuint offset)
    {
        ulong quotes = 0, newlines = 0;
        for (var k = 0; k < 4; k++)
        {
            var v = Vector128.LoadUnsafe(ref start, offset + (nuint)(16 * k));
            quotes |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'"')).ExtractMostSignificantBits() << (16 * k);
            newlines |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'\n')).ExtractMostSignificantBits() << (16 * k);
        }
        return (quotes, newlines);
    }

    // Bit j of the result = XOR of bits 0..j of x.
    private static ulong PrefixXor(ulong x)
    {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        return x;
    }
}

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
        var rest = data;
        while (!rest.IsEmpty)
        {
            var i = _inQuotes ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
            if (i < 0) break;
            if (rest[i] == (byte)'"') _inQuotes = !_inQuotes;
            else _records++;
            rest = rest[(i + 1)..];
        }
    }

    /// <summary>Lower-case hex SHA-256 of everything appended.</summary>
    public string Sha256Hex => _hash ??= Convert.ToHexStringLower(_sha.GetHashAndReset());

    /// <summary>False when the stream ended inside a quoted field (a truncated stream).</summary>
    public bool EndedCleanly => !_inQuotes;

    public void Dispose() => _sha.Dispose();
}

using System.Text;

namespace TravelFunctions.Data.Archive;

/// <summary>
/// Drops the records of some users from an archived CSV stream (PostgreSQL COPY csv with a header), fed in chunks as it
/// flows. Records are found the way <see cref="CsvDigest"/> counts them (a newline outside quotes ends one; a quote
/// toggles), fields by commas outside quotes; the user id is the field at <c>userColumn</c>. Every record that stays is
/// passed on byte for byte (runs of kept records in one write), so nothing else in the archive changes. Memory: the one
/// record that straddles two chunks.
/// </summary>
public sealed class CsvUserFilter(int userColumn, IReadOnlySet<Guid> erased, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output)
{
    private const int MaxUserField = 64;
    private readonly byte[] _userField = new byte[MaxUserField];
    private int _userLength;
    private bool _inQuotes;
    private int _field;
    private bool _header = true;
    private byte[] _pending = [];
    private int _pendingLength;

    /// <summary>Data records kept (header not counted).</summary>
    public long Kept { get; private set; }

    /// <summary>Data records dropped.</summary>
    public long Removed { get; private set; }

    /// <summary>Users whose records were dropped.</summary>
    public HashSet<Guid> RemovedUsers { get; } = [];

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var emitFrom = 0;        // start of the run of kept bytes not yet passed on
        var recordStart = 0;     // start of the current record within this chunk (0 if it began in an earlier one)
        int end;
        while ((end = ScanToRecordEnd(chunk.Span, recordStart)) >= 0)
        {
            var keep = _header || !IsErased();
            if (_header) _header = false;
            else if (keep) Kept++;
            else Removed++;
            if (!keep)
            {
                if (recordStart > emitFrom) await output(chunk[emitFrom..recordStart], ct);
                emitFrom = end + 1;
            }
            else if (_pendingLength > 0)
            {
                // The record began in an earlier chunk: its first part goes out first, then the run goes on here.
                await output(_pending.AsMemory(0, _pendingLength), ct);
            }
            _pendingLength = 0;
            _field = 0;
            _userLength = 0;
            recordStart = end + 1;
        }
        if (recordStart > emitFrom) await output(chunk[emitFrom..recordStart], ct);
        if (recordStart < chunk.Length)
        {
            // An unfinished record: kept aside until its end shows whether it stays.
            var rest = chunk.Span[recordStart..];
            if (_pending.Length < _pendingLength + rest.Length)
                Array.Resize(ref _pending, Math.Max(_pendingLength + rest.Length, Math.Max(4096, _pending.Length * 2)));
            rest.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += rest.Length;
        }
    }

    /// <summary>Index of the newline that ends the current record, from <paramref name="from"/> on; -1 when the chunk ends first.</summary>
    private int ScanToRecordEnd(ReadOnlySpan<byte> span, int from)
    {
        for (var i = from; i < span.Length; i++)
        {
            var b = span[i];
            if (b == (byte)'"')
            {
                _inQuotes = !_inQuotes;
                Capture(b);
            }
            else if (_inQuotes) Capture(b);
            else if (b == (byte)',') _field++;
            else if (b == (byte)'\n') return i;
            else Capture(b);
        }
        return -1;
    }

    /// <summary>Throws when the stream ended inside a record (PostgreSQL ends every record, the last one too, with a newline).</summary>
    public void Complete()
    {
        if (_pendingLength > 0 || _inQuotes)
            throw new InvalidDataException("The archive ends inside a record (truncated stream).");
    }

    private void Capture(byte b)
    {
        if (_field != userColumn) return;
        if (_userLength == MaxUserField) throw new InvalidDataException($"Column {userColumn} of a record is not a user id (longer than {MaxUserField} bytes).");
        _userField[_userLength++] = b;
    }

    private bool IsErased()
    {
        var field = _userField.AsSpan(0, _userLength);
        if (field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"') field = field[1..^1];
        if (field.Length == 0) return false;  // NULL: nobody's row
        if (!Guid.TryParse(Encoding.ASCII.GetString(field), out var id))
            throw new InvalidDataException($"Column {userColumn} of a record is not a user id.");
        if (!erased.Contains(id)) return false;
        RemovedUsers.Add(id);
        return true;
    }
}

using System.Globalization;
using System.Text;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Block ids of one streamed upload: base64("{upload id: 32 hex}-{block index: 6 digits}"), 52 characters.
/// The service requires all block ids of a blob to have one length (also across abandoned attempts), so the format
/// never changes; the upload id keeps two uploads of one name from ever mixing blocks, and the index says where a
/// block belongs. That makes a committed block list checkable later, by anyone: <see cref="FindProblem"/>.
/// </summary>
public static class StagedBlockIds
{
    private const int UploadIdLength = 32;
    private const int IndexDigits = 6;

    /// <summary>Azure's limit on committed blocks per blob.</summary>
    public const int MaxBlocks = 50_000;

    public static string NewUploadId() => Guid.NewGuid().ToString("N");

    public static string For(string uploadId, int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{index.ToString("D6", CultureInfo.InvariantCulture)}"));

    public static bool TryParse(string blockId, out string uploadId, out int index)
    {
        uploadId = "";
        index = -1;
        Span<byte> raw = stackalloc byte[64];
        if (!Convert.TryFromBase64String(blockId, raw, out var n) || n != UploadIdLength + 1 + IndexDigits) return false;
        var text = Encoding.ASCII.GetString(raw[..n]);
        if (text[UploadIdLength] != '-' || !text[..UploadIdLength].All(char.IsAsciiHexDigitLower)) return false;
        if (!int.TryParse(text.AsSpan(UploadIdLength + 1), NumberStyles.None, CultureInfo.InvariantCulture, out index)) return false;
        uploadId = text[..UploadIdLength];
        return true;
    }

    /// <summary>
    /// Null when <paramref name="committed"/> is exactly one upload's blocks 0..n-1, each once and in order, of
    /// <paramref name="expectedBytes"/> bytes in all; otherwise what is wrong. Together with the Content-MD5 the service
    /// checked on every staged block, this proves the blob's bytes are the bytes that upload sent, in the order sent.
    /// </summary>
    public static string? FindProblem(IReadOnlyList<BlobBlock> committed, long expectedBytes)
    {
        if (committed.Count == 0) return "no committed blocks";
        string? upload = null;
        long bytes = 0;
        for (var i = 0; i < committed.Count; i++)
        {
            if (!TryParse(committed[i].Id, out var id, out var index))
                return $"committed block {i} has an id this uploader does not write";
            upload ??= id;
            if (id != upload) return $"committed blocks come from two uploads ({upload}, {id})";
            if (index != i) return $"committed block {i} is the upload's block {index}: blocks are missing, repeated or out of order";
            bytes += committed[i].Size;
        }
        return bytes == expectedBytes ? null : $"committed blocks hold {bytes} bytes; {expectedBytes} were uploaded";
    }
}

using Azure;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// The archive's view of one blob container. Kept small and SDK-neutral so that replacing the hand-written
/// REST client (<see cref="AzureBlobRestStore"/>) with Azure.Storage.Blobs later is one class.
/// Every non-success answer from the service surfaces as <see cref="RequestFailedException"/>
/// (Status + ErrorCode from x-ms-error-code); transient failures (408/429/5xx, network) are retried first.
/// </summary>
public interface IBlobStore
{
    /// <summary>The container this store works in.</summary>
    string ContainerName { get; }

    /// <summary>Creates the container if it does not exist (an existing container is fine).</summary>
    Task EnsureContainerExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads <paramref name="content"/> as a block blob (Put Block per block, each with Content-MD5, then
    /// Put Block List). Memory is bounded by the block buffer(s); the source is never buffered whole.
    /// The blob becomes visible only when the block list is committed at the end.
    /// </summary>
    Task<BlobUploadResult> UploadAsync(string blobName, Stream content, string contentType,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="writer"/> against a write-only stream whose bytes are cut into blocks and uploaded
    /// as they fill; when the writer returns normally the block list is committed and the result returned.
    /// If the writer (or an upload) throws, nothing is committed: a previously committed blob of that name is
    /// left untouched and the uploaded blocks stay uncommitted (Azure discards them after about a week).
    /// The writer may dispose the stream it was given (e.g. a GZipStream without leaveOpen); that does not commit.
    /// The writer must flush/dispose any wrapping stream (e.g. GZipStream) before it returns: what it has written
    /// when it returns is what gets committed. Prefer WriteAsync: synchronous writes block while a full block uploads.
    /// </summary>
    Task<BlobUploadResult> UploadAsync(string blobName, Func<Stream, CancellationToken, Task> writer, string contentType,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a write-only stream for a producer that cannot be expressed as a callback. Writes are uploaded as
    /// blocks as they fill; only <see cref="BlobUploadStream.CompleteAsync"/> commits. Disposing without
    /// completing abandons the upload (nothing committed).
    /// </summary>
    Task<BlobUploadStream> OpenWriteAsync(string blobName, string contentType,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>The committed blocks (id and size, in blob order), for verifying an upload. 404 throws.</summary>
    Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Get Blob as a forward-only stream read straight from the response (not buffered); the caller disposes it
    /// (that releases the connection). A connection lost mid-read surfaces as an IOException and is not resumed. 404 throws.
    /// </summary>
    Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>HEAD of the blob. A missing blob gives <see cref="BlobProperties.Exists"/> = false, not an exception.</summary>
    Task<BlobProperties> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/>, in name order, following NextMarker paging.</summary>
    IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, bool includeMetadata = false,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob (and its snapshots). Returns false when it did not exist; never throws for 404.</summary>
    Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Replaces the blob's metadata with <paramref name="metadata"/>. Returns the new ETag. 404 throws.</summary>
    Task<ETag> SetMetadataAsync(string blobName, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default);
}

/// <summary>What was committed: total size in bytes, the blob's ETag, block count, and MD5 of the whole blob.</summary>
public sealed record BlobUploadResult(string BlobName, long Size, ETag ETag, int BlockCount, byte[] ContentMd5);

/// <summary>One committed block: its (base64) block id and size in bytes.</summary>
public sealed record BlobBlock(string Id, long Size);

/// <summary>Result of a HEAD on a blob. When <see cref="Exists"/> is false the other values are empty.</summary>
public sealed record BlobProperties(
    bool Exists,
    long ContentLength,
    string? ContentType,
    byte[]? ContentMd5,
    ETag ETag,
    DateTimeOffset? LastModified,
    IReadOnlyDictionary<string, string> Metadata)
{
    public static BlobProperties Missing { get; } = new(false, 0, null, null, default, null,
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
}

/// <summary>One entry of a listing. <see cref="Metadata"/> is empty unless metadata was requested.</summary>
public sealed record BlobItem(
    string Name,
    long ContentLength,
    string? ContentType,
    ETag ETag,
    DateTimeOffset? LastModified,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// A write-only stream whose content becomes a block blob. Only <see cref="CompleteAsync"/> commits;
/// Dispose/DisposeAsync alone never commits (so an exception in the producer can never publish a partial blob).
/// </summary>
public abstract class BlobUploadStream : Stream
{
    /// <summary>Uploads the last partial block and commits the block list. Callable once, also after Dispose.</summary>
    public abstract Task<BlobUploadResult> CompleteAsync(CancellationToken cancellationToken = default);
}

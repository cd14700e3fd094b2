using Azure;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// The archive's view of one blob container: just what the archiver, restorer and tests use, so a test can put a
/// faulty store in front of the real one (<see cref="AzureBlobStore"/>, on Azure.Storage.Blobs).
/// Every non-success answer from the service surfaces as <see cref="RequestFailedException"/> (Status + ErrorCode);
/// transient failures (408/429/5xx, network) are retried first, a bounded number of times (<see cref="BlobStoreOptions"/>).
/// </summary>
public interface IBlobStore
{
    /// <summary>The container this store works in.</summary>
    string ContainerName { get; }

    /// <summary>Creates the container if it does not exist (an existing container is fine).</summary>
    Task EnsureContainerExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Block upload, streamed: <paramref name="writer"/> writes into a stream whose bytes are cut into blocks and staged
    /// as they fill, each with a Content-MD5 the service checks. Memory is the block buffers, whatever the size.
    /// When the writer returns normally the block list is committed (content type, whole-blob Content-MD5, metadata,
    /// <see cref="BlobWrite.Condition"/>) and the blob appears atomically. If the writer or a block upload throws,
    /// nothing is committed: an existing blob of that name is untouched and the staged blocks stay uncommitted
    /// (the service discards them after a week). The writer may dispose the stream (e.g. a GZipStream without
    /// leaveOpen); that does not commit. What the writer has written when it returns is what gets committed.
    /// </summary>
    Task<BlobUploadResult> UploadAsync(string blobName, Func<Stream, CancellationToken, Task> writer, BlobWrite write,
        CancellationToken cancellationToken = default);

    /// <summary>The committed blocks (id and size, in blob order), for verifying an upload. 404 throws.</summary>
    Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the whole blob as a forward-only stream, in ranges of at most 4 MiB, each checked against the MD5 the service
    /// computes for it and retried on its own, all pinned to the ETag seen first (a blob replaced mid-read fails instead
    /// of mixing versions). Memory: one range. 404 throws.
    /// </summary>
    Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Reads one range of at most 4 MiB in one request, checked against the MD5 the service computes for it. 404 throws.</summary>
    Task<Stream> OpenReadAsync(string blobName, HttpRange range, CancellationToken cancellationToken = default);

    /// <summary>HEAD of the blob. A missing blob gives <see cref="BlobProperties.Exists"/> = false, not an exception.</summary>
    Task<BlobProperties> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/>, in name order, across all result pages.</summary>
    IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, bool includeMetadata = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the blob (and its snapshots); with <paramref name="ifMatch"/>, only that version of it (412 otherwise).
    /// Returns false when it did not exist; never throws for 404.
    /// </summary>
    Task<bool> DeleteAsync(string blobName, ETag? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the blob's access tier (Hot, Cool, Cold, Archive). From Archive to an online tier this requests a rehydration
    /// at Standard priority: the service answers at once, the blob stays unreadable (its <see cref="BlobProperties.ArchiveStatus"/>
    /// says rehydrate-pending-to-…) until it is done, up to 15 hours later. 404 throws.
    /// </summary>
    Task SetAccessTierAsync(string blobName, string tier, CancellationToken cancellationToken = default);
}

/// <summary>Access tiers of block blobs, as the service names them.</summary>
public static class BlobTiers
{
    public const string Hot = "Hot";
    public const string Cool = "Cool";
    public const string Cold = "Cold";
    public const string Archive = "Archive";
}

/// <summary>How a blob is written: its content type, metadata and the condition the write depends on.</summary>
public sealed record BlobWrite(string ContentType)
{
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public BlobCondition Condition { get; init; } = BlobCondition.None;
}

/// <summary>
/// The condition a write depends on, checked by the service atomically with the write: none (overwrite), the blob
/// must not exist (409 BlobAlreadyExists otherwise), or it must still be the version with this ETag (412 otherwise).
/// </summary>
public sealed record BlobCondition
{
    private BlobCondition(bool mustNotExist, ETag? ifMatch)
    {
        MustNotExist = mustNotExist;
        IfMatch = ifMatch;
    }

    public bool MustNotExist { get; }

    public ETag? IfMatch { get; }

    public static BlobCondition None { get; } = new(false, null);

    public static BlobCondition IfNotExists { get; } = new(true, null);

    public static BlobCondition IfUnchanged(ETag etag) => new(false, etag);
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
    /// <summary>Hot, Cool, Cold or Archive (null when the service does not say).</summary>
    public string? AccessTier { get; init; }

    /// <summary>While an Archive-tier blob is being rehydrated: rehydrate-pending-to-hot / -cool / -cold; else null.</summary>
    public string? ArchiveStatus { get; init; }

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

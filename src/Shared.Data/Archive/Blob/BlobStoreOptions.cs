using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// How <see cref="AzureBlobStore"/> cuts uploads into blocks, pages listings, and the SDK client options it uses
/// (<see cref="Client"/>: retries, timeouts, transfer validation, service version).
/// </summary>
public sealed class BlobStoreOptions
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>The largest range the service computes an MD5 for (x-ms-range-get-content-md5).</summary>
    public const int MaxValidatedRange = 4 * 1024 * 1024;

    /// <summary>Bytes per staged block (default 4 MiB). A blob has at most 50,000 blocks (195 GiB at 4 MiB).</summary>
    public int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>
    /// Block buffers per upload. 1 (default): each full block is uploaded before more bytes are accepted, so memory is
    /// one block. 2: the next block fills while the previous one uploads (memory two blocks, the producer rarely waits).
    /// </summary>
    public int UploadBuffers { get; set; } = 1;

    /// <summary>Results per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 5000;

    /// <summary>
    /// The partition archive's settings: 16 MiB blocks, two of them (the next fills while the previous uploads: 32 MiB
    /// per export). Fewer, larger blocks cost the service less per byte: 131 MB into Azurite took 2.45 s of its CPU in
    /// 1 MiB blocks, 1.8–1.9 s in 4 MiB and 1.4–1.7 s in 16 MiB ones; in Azure they are fewer billed transactions.
    /// </summary>
    public static BlobStoreOptions ForPartitionArchive() => new() { BlockSize = 16 * 1024 * 1024, UploadBuffers = 2 };

    /// <summary>The SDK's client options; <see cref="CreateClientOptions"/> says what is set and why.</summary>
    public BlobClientOptions Client { get; } = CreateClientOptions();

    /// <summary>
    /// Client options for the archive:
    /// <list type="bullet">
    /// <item>Service version pinned to 2025-11-05, the newest Azurite 3.35 knows, so the same requests go to both.</item>
    /// <item>Transfer validation MD5 both ways: Content-MD5 on every staged block and Put Blob (the service refuses
    /// bytes that do not match), and an MD5 the service computes for every range read. Not CRC64: Azurite stores
    /// the CRC64 structured-message framing as if it were data.</item>
    /// <item>Retries bounded so a storage outage fails the unit well inside the job's time budget (480 s by default):
    /// 3 retries after 1, 2 and 4 s (exponential, jittered), each try at most 30 s without network progress. A refused
    /// connection fails in about 7 s; a silent endpoint in at most 4 × 30 s + 7 s ≈ 2 min per request.</item>
    /// </list>
    /// </summary>
    public static BlobClientOptions CreateClientOptions()
    {
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_11_05);
        options.TransferValidation.Upload.ChecksumAlgorithm = StorageChecksumAlgorithm.MD5;
        options.TransferValidation.Download.ChecksumAlgorithm = StorageChecksumAlgorithm.MD5;
        options.TransferValidation.Download.AutoValidateChecksum = true;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    internal void Validate()
    {
        // The service allows 4000 MiB per block; one managed array caps it a little below 2 GiB here.
        if (BlockSize < 1 || BlockSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "Block size must be at least 1 byte.");
        if (UploadBuffers is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(UploadBuffers), UploadBuffers, "UploadBuffers must be 1..16.");
        if (ListPageSize is < 1 or > 5000)
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "ListPageSize must be 1..5000.");
    }
}

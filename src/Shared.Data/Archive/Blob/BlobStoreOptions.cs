using Azure.Core;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Client options for <see cref="AzureBlobRestStore"/>. Retry (transient 408/429/5xx and network errors,
/// exponential back-off), logging and tracing come from Azure.Core's <see cref="ClientOptions"/>.
/// </summary>
public sealed class BlobStoreOptions : ClientOptions
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>Service version sent as x-ms-version (Azurite 3.35+ accepts it).</summary>
    public const string ServiceVersion = "2025-11-05";

    public BlobStoreOptions()
    {
        // Storage's diagnostic headers are worth logging; Authorization stays redacted by Azure.Core.
        foreach (var header in new[] { "x-ms-request-id", "x-ms-error-code", "x-ms-version", "x-ms-date",
                     "x-ms-blob-type", "x-ms-request-server-encrypted", "Content-MD5", "ETag", "Last-Modified" })
        {
            Diagnostics.LoggedHeaderNames.Add(header);
        }
        Diagnostics.LoggedQueryParameters.Add("comp");
        Diagnostics.LoggedQueryParameters.Add("restype");
        Diagnostics.LoggedQueryParameters.Add("prefix");
    }

    /// <summary>Bytes per Put Block (default 4 MiB). A blob has at most 50,000 blocks (195 GiB at 4 MiB).</summary>
    public int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>
    /// Block buffers per upload. 1 (default): each full block is uploaded before more bytes are accepted, so memory is
    /// one block. 2: the next block fills while the previous one uploads (memory two blocks, the producer rarely waits).
    /// </summary>
    public int UploadBuffers { get; set; } = 1;

    /// <summary>maxresults per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 5000;

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

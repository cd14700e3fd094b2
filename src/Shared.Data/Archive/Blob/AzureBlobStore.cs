using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// <see cref="IBlobStore"/> on Azure.Storage.Blobs, for one container. Create it through <see cref="BlobStoreFactory"/>
/// (managed identity for an account URL, the connection string for Azurite).
/// </summary>
public sealed partial class AzureBlobStore : IBlobStore
{
    private readonly BlobContainerClient _container;
    private readonly BlobStoreOptions _options;

    public AzureBlobStore(BlobContainerClient container, BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Checked here so a misconfigured ArchiveContainer fails at start with its name, not as a 400 at the first request.
        if (!ContainerNamePattern().IsMatch(container.Name))
            throw new ArgumentException($"'{container.Name}' is not a valid container name (3-63 lowercase letters, digits and single hyphens).", nameof(container));
        _container = container;
        _options = options;
    }

    public string ContainerName => _container.Name;

    public Uri ContainerUri => _container.Uri;

    /// <summary>The SDK client underneath, for tests and tear-down (deleting the whole container).</summary>
    public BlobContainerClient Container => _container;

    public Task EnsureContainerExistsAsync(CancellationToken cancellationToken = default) =>
        _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    public async Task<BlobUploadResult> UploadAsync(string blobName, Func<Stream, CancellationToken, Task> writer, BlobWrite write,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Check(write);
        var stream = new StagedBlockUploadStream(Blocks(blobName), write, _options.BlockSize, _options.UploadBuffers);
        await using (stream.ConfigureAwait(false))
        {
            // A throwing writer skips CompleteAsync: the block list is never committed.
            await writer(stream, cancellationToken).ConfigureAwait(false);
            return await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var list = await Blocks(blobName).GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return list.Value.CommittedBlocks.Select(b => new BlobBlock(b.Name, b.SizeLong)).ToList();
    }

    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default) =>
        // 4 MiB ranges, each MD5-checked and retried on its own; allowModifications: false pins them all to one ETag.
        await _container.GetBlobClient(Name(blobName)).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
        {
            BufferSize = BlobStoreOptions.MaxValidatedRange,
        }, cancellationToken).ConfigureAwait(false);

    public async Task<Stream> OpenReadAsync(string blobName, HttpRange range, CancellationToken cancellationToken = default)
    {
        // The service computes an MD5 only for ranges up to 4 MiB; the SDK checks the bytes against it.
        if (range.Length is not ({ } n and > 0 and <= BlobStoreOptions.MaxValidatedRange))
            throw new ArgumentOutOfRangeException(nameof(range), range, $"A range read is 1..{BlobStoreOptions.MaxValidatedRange} bytes.");
        var download = await _container.GetBlobClient(Name(blobName))
            .DownloadStreamingAsync(new BlobDownloadOptions { Range = range }, cancellationToken).ConfigureAwait(false);
        return download.Value.Content;
    }

    public async Task<BlobProperties> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default)
    {
        try
        {
            var p = (await _container.GetBlobClient(Name(blobName)).GetPropertiesAsync(cancellationToken: cancellationToken)
                .ConfigureAwait(false)).Value;
            return new BlobProperties(true, p.ContentLength, p.ContentType, p.ContentHash is { Length: > 0 } h ? h : null, p.ETag,
                p.LastModified, new Dictionary<string, string>(p.Metadata, StringComparer.OrdinalIgnoreCase))
            {
                AccessTier = p.AccessTier,
                ArchiveStatus = p.ArchiveStatus,
            };
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return BlobProperties.Missing;
        }
    }

    public async IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, bool includeMetadata = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var pages = _container.GetBlobsAsync(new GetBlobsOptions
        {
            Prefix = prefix.Length > 0 ? prefix : null,
            Traits = includeMetadata ? BlobTraits.Metadata : BlobTraits.None,
        }, cancellationToken).AsPages(pageSizeHint: _options.ListPageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var b in page.Values)
            {
                yield return new BlobItem(b.Name, b.Properties.ContentLength ?? 0, b.Properties.ContentType,
                    b.Properties.ETag ?? default, b.Properties.LastModified,
                    new Dictionary<string, string>(b.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase));
            }
        }
    }

    public async Task<bool> DeleteAsync(string blobName, ETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var deleted = await _container.GetBlobClient(Name(blobName)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots,
            ifMatch is { } etag ? new BlobRequestConditions { IfMatch = etag } : null, cancellationToken).ConfigureAwait(false);
        return deleted.Value;
    }

    public async Task SetAccessTierAsync(string blobName, string tier, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        await _container.GetBlobClient(Name(blobName)).SetAccessTierAsync(new AccessTier(tier),
            rehydratePriority: RehydratePriority.Standard, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    internal static BlobRequestConditions? Conditions(BlobCondition condition) =>
        condition.MustNotExist ? new BlobRequestConditions { IfNoneMatch = ETag.All }
        : condition.IfMatch is { } etag ? new BlobRequestConditions { IfMatch = etag }
        : null;

    private BlockBlobClient Blocks(string blobName) => _container.GetBlockBlobClient(Name(blobName));

    private static void Check(BlobWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrWhiteSpace(write.ContentType);
        BlobMetadata.Validate(write.Metadata);
    }

    // The SDK escapes names itself; these rules keep a name from meaning a different path than it says.
    private static string Name(string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.Length > 1024)
            throw new ArgumentException("Blob names are at most 1024 characters.", nameof(blobName));
        if (blobName.StartsWith('/') || blobName.EndsWith('/') || blobName.Contains("//") ||
            blobName.Split('/').Any(s => s is "." or ".."))
            throw new ArgumentException($"Blob name '{blobName}' has an empty, '.' or '..' path segment.", nameof(blobName));
        return blobName;
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerNamePattern();
}

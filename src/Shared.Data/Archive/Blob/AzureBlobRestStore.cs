using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// A small Blob service REST client for one container, on Azure.Core's <see cref="HttpPipeline"/>
/// (retries, logging, tracing from Azure.Core). Azure.Storage.Blobs cannot be restored in our build environment;
/// this implements just what the archive needs. Create it through <see cref="BlobStoreFactory"/>.
/// </summary>
public sealed partial class AzureBlobRestStore : IBlobStore
{
    // Azure's limit on committed blocks per blob.
    internal const int MaxBlocks = 50_000;

    private readonly HttpPipeline _pipeline;
    private readonly BlobStoreOptions _options;

    /// <summary>Shared Key (account key) authentication: Azurite and connection strings.</summary>
    public AzureBlobRestStore(BlobConnectionString connection, string containerName, BlobStoreOptions? options = null)
        : this(connection.BlobEndpoint, containerName,
            new SharedKeyCredentialPolicy(connection.AccountName, connection.AccountKey), options)
    {
    }

    /// <summary>Microsoft Entra ID token authentication (managed identity in Azure), scope https://storage.azure.com/.default.</summary>
    public AzureBlobRestStore(Uri accountUrl, string containerName, TokenCredential credential, BlobStoreOptions? options = null)
        : this(accountUrl, containerName,
            new BearerTokenAuthenticationPolicy(credential ?? throw new ArgumentNullException(nameof(credential)), StorageScope),
            options)
    {
    }

    private AzureBlobRestStore(Uri blobEndpoint, string containerName, HttpPipelinePolicy authentication, BlobStoreOptions? options)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        if (!ContainerNamePattern().IsMatch(containerName ?? ""))
            throw new ArgumentException($"'{containerName}' is not a valid container name (3-63 lowercase letters, digits and single hyphens).", nameof(containerName));
        _options = options ?? new BlobStoreOptions();
        _options.Validate();
        ContainerName = containerName!;
        ContainerUri = new Uri(blobEndpoint.AbsoluteUri.TrimEnd('/') + "/" + containerName);
        // The signer runs per retry (fresh x-ms-date) and after every header-setting per-call policy.
        _pipeline = HttpPipelineBuilder.Build(_options, Array.Empty<HttpPipelinePolicy>(), new[] { authentication },
            new ResponseClassifier());
    }

    public const string StorageScope = "https://storage.azure.com/.default";

    public string ContainerName { get; }

    public Uri ContainerUri { get; }

    public async Task EnsureContainerExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, null, ("restype", "container"));
        var response = await SendAsync(message, cancellationToken, 201, 409).ConfigureAwait(false);
        if (response.Status == 409 && ErrorCode(response) != "ContainerAlreadyExists")
            throw Failure(response);
    }

    /// <summary>Deletes the whole container (tests and tear-down; not part of <see cref="IBlobStore"/>). False if absent.</summary>
    public async Task<bool> DeleteContainerAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, null, ("restype", "container"));
        var response = await SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    public Task<BlobUploadResult> UploadAsync(string blobName, Stream content, string contentType,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return UploadAsync(blobName, (target, ct) => content.CopyToAsync(target, ct), contentType, metadata, cancellationToken);
    }

    public async Task<BlobUploadResult> UploadAsync(string blobName, Func<Stream, CancellationToken, Task> writer,
        string contentType, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var stream = await OpenWriteAsync(blobName, contentType, metadata, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // A throwing writer skips CompleteAsync: the block list is never committed.
            await writer(stream, cancellationToken).ConfigureAwait(false);
            return await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<BlobUploadStream> OpenWriteAsync(string blobName, string contentType,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        BlobMetadata.Validate(metadata);
        var snapshot = metadata?.ToDictionary(kv => kv.Key, kv => kv.Value);
        return Task.FromResult<BlobUploadStream>(new RestBlobUploadStream(this, blobName, contentType, snapshot,
            _options.BlockSize, _options.UploadBuffers));
    }

    /// <summary>Put Block with Content-MD5 of the block, so the service rejects a block corrupted in transit.</summary>
    internal async Task PutBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Put, blobName, ("comp", "block"), ("blockid", blockId));
        message.Request.Headers.SetValue("Content-MD5", Convert.ToBase64String(MD5.HashData(block.Span)));
        message.Request.Content = RequestContent.Create(block);
        await SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
    }

    /// <summary>Put Block List: the blob (content type, whole-blob MD5, metadata) becomes visible atomically here.</summary>
    internal async Task<ETag> CommitBlockListAsync(string blobName, IReadOnlyList<string> blockIds, string contentType,
        byte[] contentMd5, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder(64 + blockIds.Count * 72).Append("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        // <Latest> also matches committed blocks, so a retried commit (first attempt's answer lost) is idempotent.
        foreach (var id in blockIds) xml.Append("<Latest>").Append(id).Append("</Latest>");
        xml.Append("</BlockList>");
        var body = Encoding.UTF8.GetBytes(xml.ToString());

        using var message = CreateMessage(RequestMethod.Put, blobName, ("comp", "blocklist"));
        message.Request.Headers.SetValue("x-ms-blob-content-type", contentType);
        message.Request.Headers.SetValue("x-ms-blob-content-md5", Convert.ToBase64String(contentMd5));
        message.Request.Headers.SetValue("Content-MD5", Convert.ToBase64String(MD5.HashData(body)));
        AddMetadata(message.Request, metadata);
        message.Request.Content = RequestContent.Create(body);
        var response = await SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return response.Headers.ETag ?? default;
    }

    public async Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Get, blobName, ("comp", "blocklist"), ("blocklisttype", "committed"));
        var response = await SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        var root = XDocument.Parse(response.Content.ToString()).Root;
        return (root?.Element("CommittedBlocks")?.Elements("Block") ?? [])
            .Select(b => new BlobBlock(b.Element("Name")?.Value ?? "", ParseLong(b.Element("Size")?.Value)))
            .ToList();
    }

    public async Task<Stream> OpenReadAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Get, blobName);
        // Stream the body straight from the socket; Azure.Core's per-read network timeout still applies.
        // A connection lost mid-body surfaces as an IOException from Read (not resumed).
        message.BufferResponse = false;
        await SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return message.ExtractResponseContent() ?? Stream.Null;
    }

    public async Task<BlobProperties> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Head, blobName);
        var response = await SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        if (response.Status == 404) return BlobProperties.Missing;

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith(BlobMetadata.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
                metadata[header.Name[BlobMetadata.HeaderPrefix.Length..]] = header.Value;
        }
        response.Headers.TryGetValue("Content-Type", out var contentType);
        response.Headers.TryGetValue("Content-MD5", out var md5);
        response.Headers.TryGetValue("Last-Modified", out var lastModified);
        return new BlobProperties(true, response.Headers.ContentLength ?? 0, contentType,
            string.IsNullOrEmpty(md5) ? null : Convert.FromBase64String(md5), response.Headers.ETag ?? default,
            ParseDate(lastModified), metadata);
    }

    public async IAsyncEnumerable<BlobItem> ListBlobsAsync(string prefix, bool includeMetadata = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string? marker = null;
        do
        {
            var query = new List<(string, string)>
            {
                ("restype", "container"), ("comp", "list"),
                ("maxresults", _options.ListPageSize.ToString(CultureInfo.InvariantCulture)),
            };
            if (prefix.Length > 0) query.Add(("prefix", prefix));
            if (includeMetadata) query.Add(("include", "metadata"));
            // Markers are opaque and may contain '+', '/' or '=': they are escaped like every query value.
            if (!string.IsNullOrEmpty(marker)) query.Add(("marker", marker));

            XElement? root;
            using (var message = CreateMessage(RequestMethod.Get, null, query.ToArray()))
            {
                var response = await SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
                root = XDocument.Parse(response.Content.ToString()).Root;
            }

            foreach (var blob in root?.Element("Blobs")?.Elements("Blob") ?? [])
            {
                var properties = blob.Element("Properties");
                var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in blob.Element("Metadata")?.Elements() ?? [])
                    metadata[entry.Name.LocalName] = entry.Value;
                yield return new BlobItem(
                    blob.Element("Name")?.Value ?? "",
                    ParseLong(properties?.Element("Content-Length")?.Value),
                    properties?.Element("Content-Type")?.Value,
                    properties?.Element("Etag")?.Value is { } etag ? new ETag(etag) : default,
                    ParseDate(properties?.Element("Last-Modified")?.Value),
                    metadata);
            }
            marker = root?.Element("NextMarker")?.Value;
        } while (!string.IsNullOrEmpty(marker));
    }

    public async Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        using var message = CreateMessage(RequestMethod.Delete, blobName);
        message.Request.Headers.SetValue("x-ms-delete-snapshots", "include");
        var response = await SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    public async Task<ETag> SetMetadataAsync(string blobName, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default)
    {
        ValidateBlobName(blobName);
        ArgumentNullException.ThrowIfNull(metadata);
        BlobMetadata.Validate(metadata);
        using var message = CreateMessage(RequestMethod.Put, blobName, ("comp", "metadata"));
        AddMetadata(message.Request, metadata);
        var response = await SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return response.Headers.ETag ?? default;
    }

    private HttpMessage CreateMessage(RequestMethod method, string? blobName, params (string Name, string Value)[] query)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(ContainerUri);
        if (blobName is not null) request.Uri.AppendPath("/" + EscapeBlobName(blobName), escape: false);
        foreach (var (name, value) in query) request.Uri.AppendQuery(name, value, escapeValue: true);
        request.Headers.SetValue("x-ms-version", BlobStoreOptions.ServiceVersion);
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (Array.IndexOf(expected, response.Status) < 0) throw Failure(response);
        return response;
    }

    private static RequestFailedException Failure(Response response) => new(response, null, StorageErrorParser.Instance);

    private static string? ErrorCode(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    private static void AddMetadata(Request request, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return;
        foreach (var (name, value) in metadata) request.Headers.SetValue(BlobMetadata.HeaderPrefix + name, value);
    }

    // Each segment escaped, '/' kept: the path as sent is the path that is signed.
    private static string EscapeBlobName(string blobName) =>
        string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));

    private static void ValidateBlobName(string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.Length > 1024)
            throw new ArgumentException("Blob names are at most 1024 characters.", nameof(blobName));
        if (blobName.StartsWith('/') || blobName.EndsWith('/') || blobName.Contains("//") ||
            blobName.Split('/').Any(s => s is "." or ".."))
            throw new ArgumentException($"Blob name '{blobName}' has an empty, '.' or '..' path segment.", nameof(blobName));
    }

    private static long ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static DateTimeOffset? ParseDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerNamePattern();
}

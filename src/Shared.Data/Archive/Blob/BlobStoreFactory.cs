using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Builds the archive's <see cref="IBlobStore"/> from configuration:
/// <list type="bullet">
/// <item><c>ArchiveStorage</c> = an account URL (https://acct.blob.core.windows.net) → Microsoft Entra ID tokens
/// (managed identity in Azure, where the account has shared keys disabled); or a connection string (Azurite locally:
/// AccountName/AccountKey/BlobEndpoint, or UseDevelopmentStorage=true).</item>
/// <item><c>ArchiveContainer</c> = the container name.</item>
/// <item><c>AZURE_CLIENT_ID</c> = client id of the user-assigned managed identity, when one is used.</item>
/// </list>
/// </summary>
public static class BlobStoreFactory
{
    public const string StorageKey = "ArchiveStorage";
    public const string ContainerKey = "ArchiveContainer";
    public const string ManagedIdentityClientIdKey = "AZURE_CLIENT_ID";

    /// <param name="archiveStorage">Account URL or connection string.</param>
    /// <param name="container">Container name.</param>
    /// <param name="credential">Token credential for an account URL; default <see cref="CreateDefaultCredential"/>
    /// with AZURE_CLIENT_ID from the environment. Ignored for connection strings.</param>
    /// <param name="options">Block size, upload buffers, SDK client options (retries etc.).</param>
    public static AzureBlobStore Create(string archiveStorage, string container, TokenCredential? credential = null,
        BlobStoreOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(archiveStorage))
            throw new InvalidOperationException($"{StorageKey} is not configured (an account URL or a storage connection string).");
        if (string.IsNullOrWhiteSpace(container))
            throw new InvalidOperationException($"{ContainerKey} is not configured.");
        options ??= new BlobStoreOptions();

        var value = archiveStorage.Trim();
        if (IsAccountUrl(value))
        {
            var accountUrl = new Uri(value);
            if (accountUrl.Scheme != Uri.UriSchemeHttps)
                throw new InvalidOperationException($"{StorageKey} account URL must be https for token authentication.");
            credential ??= CreateDefaultCredential(Environment.GetEnvironmentVariable(ManagedIdentityClientIdKey));
            var containerUri = new BlobUriBuilder(accountUrl) { BlobContainerName = container }.ToUri();
            return new AzureBlobStore(new BlobContainerClient(containerUri, credential, options.Client), options);
        }
        // The SDK parses the connection string (and refuses a malformed one with a FormatException that names no secret).
        return new AzureBlobStore(new BlobContainerClient(value, container, options.Client), options);
    }

    /// <summary>Reads ArchiveStorage, ArchiveContainer and AZURE_CLIENT_ID from <paramref name="configuration"/>.</summary>
    public static AzureBlobStore Create(IConfiguration configuration, TokenCredential? credential = null, BlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration[StorageKey] ?? "";
        if (credential is null && IsAccountUrl(storage.Trim()))
            credential = CreateDefaultCredential(configuration[ManagedIdentityClientIdKey]);
        return Create(storage, configuration[ContainerKey] ?? "", credential, options);
    }

    /// <summary>
    /// With a user-assigned identity's client id: that <see cref="ManagedIdentityCredential"/> directly (no probing
    /// of developer credentials in production). Without: <see cref="DefaultAzureCredential"/> (system-assigned
    /// managed identity in Azure; Azure CLI etc. on a developer machine).
    /// </summary>
    public static TokenCredential CreateDefaultCredential(string? managedIdentityClientId)
    {
        return string.IsNullOrWhiteSpace(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId.Trim()));
    }

    /// <summary>True when the setting is an account URL rather than a Key=Value connection string.</summary>
    public static bool IsAccountUrl(string archiveStorage) =>
        !archiveStorage.Contains(';') && !archiveStorage.Contains('=') &&
        Uri.TryCreate(archiveStorage, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}

using Azure.Core;
using Azure.Storage.Blobs;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

/// <summary>ArchiveStorage: an account URL means Entra ID tokens (managed identity), a connection string means Azurite.</summary>
public sealed class BlobStoreFactoryTests
{
    [Fact]
    public void Connection_strings_and_account_urls_are_told_apart()
    {
        Assert.True(BlobStoreFactory.IsAccountUrl("https://acct.blob.core.windows.net"));
        Assert.True(BlobStoreFactory.IsAccountUrl("https://acct.blob.core.windows.net/"));
        Assert.False(BlobStoreFactory.IsAccountUrl(AzuriteBlob.DevelopmentConnectionString));
        Assert.False(BlobStoreFactory.IsAccountUrl("UseDevelopmentStorage=true"));

        var azurite = BlobStoreFactory.Create(AzuriteBlob.DevelopmentConnectionString, "archive");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/archive"), azurite.ContainerUri);
        Assert.Equal("archive", azurite.ContainerName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/archive"),
            BlobStoreFactory.Create("UseDevelopmentStorage=true", "archive").ContainerUri);

        var credential = new FixedTokenCredential();
        var tokenStore = BlobStoreFactory.Create("https://acct.blob.core.windows.net/", "archive", credential);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/archive"), tokenStore.ContainerUri);
        // Token-authenticated: no account key, so no SAS can be signed; the Azurite client has the key.
        Assert.False(tokenStore.Container.CanGenerateSasUri);
        Assert.True(azurite.Container.CanGenerateSasUri);
    }

    [Fact]
    public void Misconfiguration_fails_at_creation_with_the_setting_named()
    {
        Assert.Contains("ArchiveStorage", Assert.Throws<InvalidOperationException>(() => BlobStoreFactory.Create(" ", "archive")).Message);
        Assert.Contains("ArchiveContainer", Assert.Throws<InvalidOperationException>(() =>
            BlobStoreFactory.Create(AzuriteBlob.DevelopmentConnectionString, "")).Message);
        Assert.Contains("https", Assert.Throws<InvalidOperationException>(() =>
            BlobStoreFactory.Create("http://acct.blob.core.windows.net", "archive", new FixedTokenCredential())).Message);
        Assert.Throws<ArgumentException>(() => BlobStoreFactory.Create(AzuriteBlob.DevelopmentConnectionString, "Bad_Name"));
        Assert.Throws<FormatException>(() => BlobStoreFactory.Create("AccountName=acct;Nonsense", "archive"));
    }

    [Fact]
    public void Client_options_validate_with_md5_and_retry_a_bounded_number_of_times()
    {
        var options = BlobStoreOptions.CreateClientOptions();
        Assert.Equal(Azure.Storage.StorageChecksumAlgorithm.MD5, options.TransferValidation.Upload.ChecksumAlgorithm);
        Assert.Equal(Azure.Storage.StorageChecksumAlgorithm.MD5, options.TransferValidation.Download.ChecksumAlgorithm);
        Assert.True(options.TransferValidation.Download.AutoValidateChecksum);
        Assert.Equal(BlobClientOptions.ServiceVersion.V2025_11_05, options.Version);
        // Worst case per request, all tries timing out: well inside the 480 s job budget.
        var worst = (options.Retry.MaxRetries + 1) * options.Retry.NetworkTimeout +
                    Enumerable.Range(0, options.Retry.MaxRetries).Aggregate(TimeSpan.Zero,
                        (sum, i) => sum + TimeSpan.FromTicks(Math.Min(options.Retry.MaxDelay.Ticks, options.Retry.Delay.Ticks << i)) * 1.2);
        Assert.True(worst < TimeSpan.FromSeconds(160), $"worst case {worst}");
    }

    [Fact]
    public void Metadata_names_must_be_identifiers_and_values_plain_ascii()
    {
        BlobMetadata.Validate(new Dictionary<string, string> { ["rowCount"] = "1", ["_x9"] = "a b" });
        Assert.Throws<ArgumentException>(() => BlobMetadata.Validate(new Dictionary<string, string> { ["row-count"] = "1" }));
        Assert.Throws<ArgumentException>(() => BlobMetadata.Validate(new Dictionary<string, string> { ["9lives"] = "1" }));
        Assert.Throws<ArgumentException>(() => BlobMetadata.Validate(new Dictionary<string, string> { ["a"] = "é" }));
        Assert.Throws<ArgumentException>(() => BlobMetadata.Validate(new Dictionary<string, string> { ["a"] = " padded" }));
        Assert.Throws<ArgumentException>(() => BlobMetadata.Validate(new Dictionary<string, string> { ["a"] = "1", ["A"] = "2" }));
    }

    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}

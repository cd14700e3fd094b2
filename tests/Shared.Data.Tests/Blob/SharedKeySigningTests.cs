using Azure.Core;
using Azure.Core.Pipeline;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

public sealed class SharedKeySigningTests
{
    private static readonly HttpPipeline Pipeline = new(new HttpClientTransport());

    [Fact]
    public void String_to_sign_matches_the_documented_get_container_metadata_example()
    {
        // "Authorize with Shared Key" (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key),
        // the documented example string for GET container metadata.
        var request = Pipeline.CreateRequest();
        request.Method = RequestMethod.Get;
        request.Uri.Reset(new Uri("https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20"));
        request.Headers.SetValue("x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT");
        request.Headers.SetValue("x-ms-version", "2015-02-21");

        var policy = new SharedKeyCredentialPolicy("myaccount", Convert.ToBase64String(new byte[32]));

        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n" +
            "/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20",
            policy.BuildStringToSign(request));
    }

    [Fact]
    public void String_to_sign_uses_the_escaped_path_unescaped_query_values_and_collated_headers()
    {
        var request = Pipeline.CreateRequest();
        request.Method = RequestMethod.Put;
        request.Uri.Reset(new Uri("http://127.0.0.1:10000/devstoreaccount1/archive"));
        request.Uri.AppendPath("/a%2Bb%20c.bin", escape: false);
        request.Uri.AppendQuery("comp", "block");
        request.Uri.AppendQuery("blockid", "YWJj+/==");
        request.Headers.SetValue("x-ms-version", "2025-11-05");
        request.Headers.SetValue("X-MS-Meta-foo2_bar", "2");
        request.Headers.SetValue("x-ms-meta-foo_bar", "1");
        request.Headers.SetValue("x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT");
        request.Headers.SetValue("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        request.Content = RequestContent.Create(new byte[5]);

        var policy = new SharedKeyCredentialPolicy("devstoreaccount1", Convert.ToBase64String(new byte[32]));

        Assert.Equal(
            "PUT\n\n\n5\n1B2M2Y8AsgTpgAmY7PhCfg==\n\n\n\n\n\n\n\n" +
            "x-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\nx-ms-meta-foo_bar:1\nx-ms-meta-foo2_bar:2\nx-ms-version:2025-11-05\n" +
            "/devstoreaccount1/devstoreaccount1/archive/a%2Bb%20c.bin\nblockid:YWJj+/==\ncomp:block",
            policy.BuildStringToSign(request));
        // '+', '/' and '=' travel escaped in the query (a bare '+' would be read as a space).
        Assert.Contains("blockid=YWJj%2B%2F%3D%3D", request.Uri.ToUri().AbsoluteUri);
    }

    [Fact]
    public void Header_order_is_culture_aware_which_invariant_globalization_would_make_ordinal()
    {
        string[] names = ["x-ms-version", "x-ms-meta-foo2_bar", "x-ms-meta-foo_bar", "x-ms-meta-a1", "x-ms-meta-a_", "x-ms-date", "x-ms-blob-content-type"];

        var sorted = names.Order(SharedKeyHeaderComparer.Instance).ToArray();

        // The order node's localeCompare (Azurite) and the service's culture-aware sort produce.
        Assert.Equal(["x-ms-blob-content-type", "x-ms-date", "x-ms-meta-a_", "x-ms-meta-a1", "x-ms-meta-foo_bar", "x-ms-meta-foo2_bar", "x-ms-version"], sorted);
        // This build runs with InvariantGlobalization=true, where "culture" comparison is ordinal and gets it wrong.
        Assert.True(StringComparer.InvariantCulture.Compare("x-ms-meta-foo2_bar", "x-ms-meta-foo_bar") < 0);
    }

    [Fact]
    public void Connection_strings_and_account_urls_are_told_apart()
    {
        var azurite = BlobConnectionString.Parse(BlobConnectionString.DevelopmentConnectionString);
        Assert.Equal("devstoreaccount1", azurite.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), azurite.BlobEndpoint);
        Assert.Equal(BlobConnectionString.DevelopmentAccountKey, azurite.AccountKey);

        var cloud = BlobConnectionString.Parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), cloud.BlobEndpoint);
        Assert.DoesNotContain("a2V5", cloud.ToString());

        Assert.Equal(azurite, BlobConnectionString.Parse("UseDevelopmentStorage=true"));
        Assert.Throws<FormatException>(() => BlobConnectionString.Parse("AccountName=acct"));

        Assert.True(BlobStoreFactory.IsAccountUrl("https://acct.blob.core.windows.net"));
        Assert.False(BlobStoreFactory.IsAccountUrl(BlobConnectionString.DevelopmentConnectionString));
        Assert.IsType<AzureBlobRestStore>(BlobStoreFactory.Create(BlobConnectionString.DevelopmentConnectionString, "archive"));
        var tokenStore = BlobStoreFactory.Create("https://acct.blob.core.windows.net/", "archive", new FixedTokenCredential());
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/archive"), ((AzureBlobRestStore)tokenStore).ContainerUri);
        Assert.Throws<InvalidOperationException>(() => BlobStoreFactory.Create("http://acct.blob.core.windows.net", "archive", new FixedTokenCredential()));
        Assert.Throws<ArgumentException>(() => BlobStoreFactory.Create(BlobConnectionString.DevelopmentConnectionString, "Bad_Name"));
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

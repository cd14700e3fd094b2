using Azure;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

public sealed class BlobAuthTests
{
    private static readonly string[] AuthErrorCodes = ["AuthenticationFailed", "AuthorizationFailure"];

    [Fact]
    public async Task A_wrong_account_key_is_a_clear_403()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var store = BlobStoreFactory.Create(AzuriteBlob.ConnectionStringWith("AccountKey", wrongKey), AzuriteBlob.UniqueContainer("auth"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => store.EnsureContainerExistsAsync());
        Assert.Equal(403, error.Status);
        // Azure answers AuthenticationFailed for a bad signature; Azurite 3.35 answers AuthorizationFailure.
        Assert.Contains(error.ErrorCode, AuthErrorCodes);
        Assert.Contains("403", error.Message);
        Assert.Contains(error.ErrorCode!, error.Message);
        Assert.DoesNotContain(wrongKey, error.Message);

        // HEAD has no body: the code still comes from x-ms-error-code, and a 403 is not mistaken for "missing".
        var head = await Assert.ThrowsAsync<RequestFailedException>(() => store.GetPropertiesAsync("any.bin"));
        Assert.Equal(403, head.Status);
        Assert.Contains(head.ErrorCode, AuthErrorCodes);
    }
}

using Azure;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

/// <summary>Writes that depend on what is there: the service checks the condition atomically with the write.</summary>
public sealed class BlobConditionalWriteTests() : AzuriteContainerTest("cond", new BlobStoreOptions { BlockSize = 1024 })
{
    private static BlobWrite Write(BlobCondition condition) => new("application/octet-stream") { Condition = condition };

    [Fact]
    public async Task If_not_exists_creates_once_and_then_refuses()
    {
        var first = RandomBytes(3000, seed: 1);
        var created = await Store.UploadAsync("cond/new.bin", Writes(first), Write(BlobCondition.IfNotExists));

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() =>
            Store.UploadAsync("cond/new.bin", Writes(RandomBytes(3000, seed: 2)), Write(BlobCondition.IfNotExists)));

        Assert.Equal((409, "BlobAlreadyExists"), (refused.Status, refused.ErrorCode));
        Assert.Equal(created.ETag, (await Store.GetPropertiesAsync("cond/new.bin")).ETag);
        Assert.Equal(first, await ReadAllAsync(await Store.OpenReadAsync("cond/new.bin")));
    }

    [Fact]
    public async Task If_unchanged_replaces_only_the_version_that_was_read()
    {
        var original = await Store.UploadAsync("cond/versioned.bin", Writes(RandomBytes(100, seed: 4)), Write(BlobCondition.None));
        var current = await Store.UploadAsync("cond/versioned.bin", Writes(RandomBytes(100, seed: 5)), Write(BlobCondition.None));

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => Store.UploadAsync("cond/versioned.bin",
            Writes(RandomBytes(2500, seed: 7)), Write(BlobCondition.IfUnchanged(original.ETag))));
        Assert.Equal((412, "ConditionNotMet"), (stale.Status, stale.ErrorCode));
        Assert.Equal(current.ETag, (await Store.GetPropertiesAsync("cond/versioned.bin")).ETag);

        var replacement = RandomBytes(2500, seed: 8);
        var replaced = await Store.UploadAsync("cond/versioned.bin", Writes(replacement), Write(BlobCondition.IfUnchanged(current.ETag)));
        Assert.Equal(replaced.ETag, (await Store.GetPropertiesAsync("cond/versioned.bin")).ETag);
        Assert.Equal(replacement, await ReadAllAsync(await Store.OpenReadAsync("cond/versioned.bin")));
    }

    [Fact]
    public async Task If_unchanged_on_a_missing_blob_refuses()
    {
        var someEtag = (await Store.UploadAsync("cond/other.bin", Writes("x"), Write(BlobCondition.None))).ETag;

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => Store.UploadAsync("cond/missing.bin",
            Writes("y"), Write(BlobCondition.IfUnchanged(someEtag))));

        // What matters is the refusal; the services differ in how (412 ConditionNotMet, or 404 BlobNotFound).
        Assert.Contains((missing.Status, missing.ErrorCode), new (int, string?)[] { (412, "ConditionNotMet"), (404, "BlobNotFound") });
        Assert.False((await Store.GetPropertiesAsync("cond/missing.bin")).Exists);
    }

    [Fact]
    public async Task Delete_with_an_etag_deletes_only_that_version()
    {
        var first = await Store.UploadAsync("cond/delete.bin", Writes("one"), Write(BlobCondition.None));
        var second = await Store.UploadAsync("cond/delete.bin", Writes("two"), Write(BlobCondition.None));

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => Store.DeleteAsync("cond/delete.bin", first.ETag));
        Assert.Equal(412, stale.Status);
        Assert.True((await Store.GetPropertiesAsync("cond/delete.bin")).Exists);

        Assert.True(await Store.DeleteAsync("cond/delete.bin", second.ETag));
        Assert.False((await Store.GetPropertiesAsync("cond/delete.bin")).Exists);
    }
}

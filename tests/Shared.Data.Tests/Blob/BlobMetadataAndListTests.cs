using Azure;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

public sealed class BlobMetadataAndListTests() : AzuriteContainerTest("meta", new BlobStoreOptions { ListPageSize = 2 })
{
    [Fact]
    public async Task Head_returns_properties_and_metadata_including_names_that_sort_differently_from_ordinal()
    {
        // foo_bar / foo2_bar: ordinal and culture-aware order disagree ('_' vs '2'); a wrong sort is a 403.
        var metadata = new Dictionary<string, string>
        {
            ["foo2_bar"] = "two", ["foo_bar"] = "underscore", ["a1"] = "x", ["a_"] = "y", ["Table"] = "user_events",
            ["sha256"] = "0a1b+/=",
        };
        var result = await Store.UploadAsync("meta/blob.csv", new MemoryStream("a,b\n1,2\n"u8.ToArray()), "text/csv", metadata);

        var properties = await Store.GetPropertiesAsync("meta/blob.csv");
        Assert.True(properties.Exists);
        Assert.Equal(8, properties.ContentLength);
        Assert.Equal("text/csv", properties.ContentType);
        Assert.Equal(result.ETag, properties.ETag);
        Assert.NotNull(properties.LastModified);
        Assert.Equal(metadata.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase),
            properties.Metadata.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase));
        Assert.Equal("user_events", properties.Metadata["table"]);

        var etag = await Store.SetMetadataAsync("meta/blob.csv", new Dictionary<string, string> { ["verified"] = "true" });
        var updated = await Store.GetPropertiesAsync("meta/blob.csv");
        Assert.Equal(etag, updated.ETag);
        Assert.NotEqual(result.ETag, etag);
        Assert.Equal("true", Assert.Single(updated.Metadata).Value);
    }

    [Fact]
    public async Task Head_of_a_missing_blob_says_it_does_not_exist()
    {
        var properties = await Store.GetPropertiesAsync("meta/nothing-here.bin");
        Assert.False(properties.Exists);
        Assert.Empty(properties.Metadata);
    }

    [Fact]
    public async Task Set_metadata_on_a_missing_blob_is_a_404()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            Store.SetMetadataAsync("meta/missing.bin", new Dictionary<string, string> { ["k"] = "v" }));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task List_by_prefix_follows_next_marker_across_small_pages()
    {
        // Names that need escaping in the path ('+', space) and in the marker query value.
        var names = Enumerable.Range(0, 7).Select(i => $"list/2024/0{i} a+b.csv.gz").ToList();
        for (var i = 0; i < names.Count; i++)
        {
            await Store.UploadAsync(names[i], new MemoryStream(new byte[i + 1]), "application/gzip",
                new Dictionary<string, string> { ["index"] = i.ToString() });
        }
        await Store.UploadAsync("other/2024/x.csv.gz", new MemoryStream(new byte[3]), "application/gzip");
        await Store.UploadAsync("lis", new MemoryStream(new byte[3]), "application/gzip");

        var listed = new List<BlobItem>();
        await foreach (var item in Store.ListBlobsAsync("list/", includeMetadata: true)) listed.Add(item);

        Assert.Equal(names, listed.Select(b => b.Name));
        Assert.Equal(Enumerable.Range(1, 7).Select(n => (long)n), listed.Select(b => b.ContentLength));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => i.ToString()), listed.Select(b => b.Metadata["index"]));
        Assert.All(listed, b => Assert.NotEqual(default, b.ETag));

        var withoutMetadata = new List<BlobItem>();
        await foreach (var item in Store.ListBlobsAsync("list/2024/03")) withoutMetadata.Add(item);
        Assert.Equal("list/2024/03 a+b.csv.gz", Assert.Single(withoutMetadata).Name);
        Assert.Empty(withoutMetadata[0].Metadata);

        var all = new List<string>();
        await foreach (var item in Store.ListBlobsAsync("")) all.Add(item.Name);
        Assert.Equal(9, all.Count);
    }

    [Fact]
    public async Task Delete_is_idempotent()
    {
        await Store.UploadAsync("delete/me.bin", new MemoryStream(new byte[10]), "application/octet-stream");

        Assert.True(await Store.DeleteAsync("delete/me.bin"));
        Assert.False((await Store.GetPropertiesAsync("delete/me.bin")).Exists);
        Assert.False(await Store.DeleteAsync("delete/me.bin"));
        Assert.False(await Store.DeleteAsync("delete/never-existed.bin"));
    }

    [Fact]
    public async Task Ensure_container_exists_is_idempotent()
    {
        await Store.EnsureContainerExistsAsync();
        await Store.EnsureContainerExistsAsync();
    }
}

using Azure;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

public sealed class BlobMetadataAndListTests() : AzuriteContainerTest("meta", new BlobStoreOptions { ListPageSize = 2 })
{
    [Fact]
    public async Task Head_returns_properties_and_metadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["foo2_bar"] = "two", ["foo_bar"] = "underscore", ["a1"] = "x", ["a_"] = "y", ["Table"] = "user_events",
            ["sha256"] = "0a1b+/=",
        };
        var content = "a,b\n1,2\n"u8.ToArray();
        var write = new BlobWrite("text/csv") { Metadata = metadata };
        const string name = "meta/blob.csv";
        var result = await Store.UploadAsync(name, Writes(content), write);

        var properties = await Store.GetPropertiesAsync(name);
        Assert.True(properties.Exists);
        Assert.Equal(8, properties.ContentLength);
        Assert.Equal("text/csv", properties.ContentType);
        Assert.Equal(result.ETag, properties.ETag);
        Assert.NotNull(properties.LastModified);
        Assert.Equal(metadata.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase),
            properties.Metadata.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase));
        Assert.Equal("user_events", properties.Metadata["table"]);
    }

    [Fact]
    public async Task Invalid_metadata_is_refused_before_anything_is_sent()
    {
        var write = new BlobWrite("text/plain") { Metadata = new Dictionary<string, string> { ["row-count"] = "1" } };
        await Assert.ThrowsAsync<ArgumentException>(() => Store.UploadAsync("meta/invalid.txt", Writes("x"), write));
        Assert.False((await Store.GetPropertiesAsync("meta/invalid.txt")).Exists);
    }

    [Fact]
    public async Task Head_of_a_missing_blob_says_it_does_not_exist()
    {
        var properties = await Store.GetPropertiesAsync("meta/nothing-here.bin");
        Assert.False(properties.Exists);
        Assert.Empty(properties.Metadata);
    }

    [Fact]
    public async Task List_by_prefix_follows_next_marker_across_small_pages()
    {
        // Names that need escaping in the path ('+', space) and in the continuation token; pages of two.
        var names = Enumerable.Range(0, 7).Select(i => $"list/2024/0{i} a+b.csv.gz").ToList();
        for (var i = 0; i < names.Count; i++)
        {
            await Store.UploadAsync(names[i], Writes(new byte[i + 1]),
                new BlobWrite("application/gzip") { Metadata = new Dictionary<string, string> { ["index"] = i.ToString() } });
        }
        await Store.UploadAsync("other/2024/x.csv.gz", Writes(new byte[3]), new BlobWrite("application/gzip"));
        await Store.UploadAsync("lis", Writes(new byte[3]), new BlobWrite("application/gzip"));

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
        await Store.UploadAsync("delete/me.bin", Writes(new byte[10]), new BlobWrite("application/octet-stream"));

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

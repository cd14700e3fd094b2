using System.IO.Compression;
using System.Security.Cryptography;
using Azure;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

public sealed class BlobUploadTests() : AzuriteContainerTest("upload", new BlobStoreOptions { BlockSize = BlockSize })
{
    private const int BlockSize = 1024;
    private static readonly BlobWrite Binary = new("application/octet-stream");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Multi_block_upload_reads_back_byte_identical_with_verifiable_block_list(int uploadBuffers)
    {
        var store = AzuriteBlob.CreateStore(ContainerName, new BlobStoreOptions { BlockSize = BlockSize, UploadBuffers = uploadBuffers });
        var data = RandomBytes(BlockSize * 3 + BlockSize / 2, seed: uploadBuffers);
        var name = $"multi/{uploadBuffers}/data.bin";

        var result = await store.UploadAsync(name, Writes(data), Binary);

        Assert.Equal(data.Length, result.Size);
        Assert.Equal(4, result.BlockCount);
        Assert.NotEqual(default, result.ETag);
        Assert.Equal(MD5.HashData(data), result.ContentMd5);

        Assert.Equal(data, await ReadAllAsync(await store.OpenReadAsync(name)));

        var blocks = await store.GetBlockListAsync(name);
        Assert.Equal(new long[] { BlockSize, BlockSize, BlockSize, BlockSize / 2 }, blocks.Select(b => b.Size));
        Assert.Null(StagedBlockIds.FindProblem(blocks, data.Length));
        Assert.Single(blocks.Select(b => b.Id.Length).Distinct());

        var properties = await store.GetPropertiesAsync(name);
        Assert.True(properties.Exists);
        Assert.Equal(data.Length, properties.ContentLength);
        Assert.Equal(result.ETag, properties.ETag);
        Assert.Equal("application/octet-stream", properties.ContentType);
        Assert.Equal(MD5.HashData(data), properties.ContentMd5);
    }

    [Fact]
    public async Task Streaming_writer_through_gzip_commits_on_completion()
    {
        var data = RandomBytes(10 * BlockSize, seed: 7);

        // The GZipStream owns (and disposes) the upload stream, as an exporter naturally writes it.
        var result = await Store.UploadAsync("gzip/part.csv.gz", async (target, ct) =>
        {
            await using var gzip = new GZipStream(target, CompressionLevel.Fastest);
            await gzip.WriteAsync(data, ct);
        }, new BlobWrite("application/gzip") { Metadata = new Dictionary<string, string> { ["rowCount"] = "42" } });

        Assert.True(result.Size > 0);
        await using var gunzip = new GZipStream(await Store.OpenReadAsync("gzip/part.csv.gz"), CompressionMode.Decompress);
        Assert.Equal(data, await ReadAllAsync(gunzip));
        var properties = await Store.GetPropertiesAsync("gzip/part.csv.gz");
        Assert.Equal(result.Size, properties.ContentLength);
        Assert.Equal("42", properties.Metadata["rowCount"]);
        Assert.Equal("application/gzip", properties.ContentType);
    }

    [Fact]
    public async Task Writer_that_throws_after_several_blocks_commits_nothing()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UploadAsync("failed/never.bin",
            async (target, ct) =>
            {
                await target.WriteAsync(RandomBytes(3 * BlockSize + 10, seed: 3), ct); // three blocks already staged
                throw new InvalidOperationException("COPY OUT broke");
            }, Binary));

        Assert.Equal("COPY OUT broke", error.Message);
        Assert.False((await Store.GetPropertiesAsync("failed/never.bin")).Exists);
        // The staged blocks exist only uncommitted: nothing is in the committed list.
        Assert.Empty(await Store.GetBlockListAsync("failed/never.bin"));
        var notFound = await Assert.ThrowsAsync<RequestFailedException>(() => Store.OpenReadAsync("failed/never.bin"));
        Assert.Equal(404, notFound.Status);
    }

    [Fact]
    public async Task Writer_that_disposes_the_stream_and_then_fails_commits_nothing()
    {
        // Unlike the SDK's OpenWrite stream, disposing ours never commits: a `using` around a failing producer publishes nothing.
        await Assert.ThrowsAsync<IOException>(() => Store.UploadAsync("abandoned/blob.bin", async (target, ct) =>
        {
            await using (target)
                await target.WriteAsync(RandomBytes(2 * BlockSize + 5, seed: 5), ct);
            throw new IOException("producer died after closing its stream");
        }, Binary));

        Assert.False((await Store.GetPropertiesAsync("abandoned/blob.bin")).Exists);
    }

    [Fact]
    public async Task Failed_rewrite_leaves_the_committed_blob_untouched()
    {
        var original = RandomBytes(2 * BlockSize + 1, seed: 11);
        var first = await Store.UploadAsync("rewrite/blob.bin", Writes(original), Binary);

        await Assert.ThrowsAsync<IOException>(() => Store.UploadAsync("rewrite/blob.bin", async (target, ct) =>
        {
            await target.WriteAsync(RandomBytes(5 * BlockSize, seed: 12), ct);
            throw new IOException("producer died");
        }, Binary));

        var properties = await Store.GetPropertiesAsync("rewrite/blob.bin");
        Assert.Equal(first.ETag, properties.ETag);
        Assert.Equal(original, await ReadAllAsync(await Store.OpenReadAsync("rewrite/blob.bin")));
    }

    [Fact]
    public async Task Empty_upload_commits_an_empty_blob()
    {
        var result = await Store.UploadAsync("empty/blob.bin", (_, _) => Task.CompletedTask, Binary);
        Assert.Equal(0, result.Size);
        Assert.Equal(0, result.BlockCount);
        var properties = await Store.GetPropertiesAsync("empty/blob.bin");
        Assert.True(properties.Exists);
        Assert.Equal(0, properties.ContentLength);
        Assert.Empty(await ReadAllAsync(await Store.OpenReadAsync("empty/blob.bin")));
    }

    [Fact]
    public async Task Reading_a_missing_blob_is_a_404_request_failure()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Store.OpenReadAsync("missing/blob.bin"));
        Assert.Equal(404, error.Status);
        Assert.Equal("BlobNotFound", error.ErrorCode);
        var range = await Assert.ThrowsAsync<RequestFailedException>(() => Store.OpenReadAsync("missing/blob.bin", new HttpRange(0, 10)));
        Assert.Equal(404, range.Status);
    }
}

using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuringCollection
{
    public const string Name = "Blob allocation measurement (runs alone)";
}

/// <summary>Measures process-wide allocation, so it runs with no other test in parallel.</summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class BlobUploadMemoryTests() : AzuriteContainerTest("memory", new BlobStoreOptions { BlockSize = BlockSize })
{
    private const int BlockSize = 1024 * 1024;
    private const int TotalBytes = 48 * BlockSize + 12345;

    [Fact]
    public async Task Streaming_upload_allocates_a_block_buffer_not_the_blob()
    {
        // Warm up the connection and JIT so the measurement is the upload itself.
        await Store.UploadAsync("memory/warmup.bin", Writes(new byte[10]), new BlobWrite("application/octet-stream"));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await Store.UploadAsync("memory/big.bin", async (target, ct) =>
        {
            var chunk = new byte[81920];
            for (var written = 0; written < TotalBytes; written += chunk.Length)
            {
                chunk.AsSpan().Fill((byte)(written / chunk.Length));
                await target.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, TotalBytes - written)), ct);
            }
        }, new BlobWrite("application/octet-stream"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(TotalBytes, result.Size);
        Assert.Equal(49, result.BlockCount);
        Assert.Equal(TotalBytes, (await Store.GetPropertiesAsync("memory/big.bin")).ContentLength);
        // One 1 MiB block buffer plus per-request overhead; buffering the blob would be > 48 MiB.
        Assert.True(allocated < 8 * BlockSize, $"allocated {allocated:N0} bytes to upload {TotalBytes:N0}");
    }
}

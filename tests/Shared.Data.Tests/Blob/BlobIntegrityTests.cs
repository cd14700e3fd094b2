using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

/// <summary>
/// What the archive's verification relies on, checked against the real service (Azurite): the service refuses a block
/// whose bytes do not match its Content-MD5, does not check the whole-blob MD5 a commit claims, and a committed block
/// list shows exactly which staged blocks make up the blob. Plus MD5-checked reads: ranges, and whole reads pinned to a version.
/// </summary>
public sealed class BlobIntegrityTests() : AzuriteContainerTest("integrity", new BlobStoreOptions { BlockSize = BlockSize })
{
    private const int BlockSize = 1024;
    private static readonly BlobWrite Binary = new("application/octet-stream");

    [Fact]
    public async Task The_service_refuses_a_block_whose_bytes_do_not_match_its_content_md5()
    {
        var blob = Store.Container.GetBlockBlobClient("md5/refused.bin");
        var bytes = RandomBytes(BlockSize, seed: 1);
        var wrongMd5 = MD5.HashData(RandomBytes(BlockSize, seed: 2));

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => blob.StageBlockAsync(
            StagedBlockIds.For(StagedBlockIds.NewUploadId(), 0), new MemoryStream(bytes),
            new BlockBlobStageBlockOptions { TransferValidation = new() { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = wrongMd5 } }));

        Assert.Equal(400, refused.Status);
        // Azure answers Md5Mismatch; Azurite 3.35 answers InvalidOperation "Provided contentMD5 doesn't match.".
        Assert.True(refused.ErrorCode == "Md5Mismatch" ||
                    (refused.ErrorCode == "InvalidOperation" && refused.Message.Contains("contentMD5 doesn't match")), refused.Message);
        var nothingStaged = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetBlockListAsync(BlockListTypes.All));
        Assert.Equal(404, nothingStaged.Status);
    }

    [Fact]
    public async Task A_commit_may_claim_any_whole_blob_md5_so_verification_reads_the_block_list()
    {
        var data = RandomBytes(3 * BlockSize, seed: 3);
        await Store.UploadAsync("md5/claimed.bin", Writes(data), Binary);
        var blob = Store.Container.GetBlockBlobClient("md5/claimed.bin");
        var ids = (await Store.GetBlockListAsync("md5/claimed.bin")).Select(b => b.Id).ToList();
        var claimed = MD5.HashData(data);

        // The same blocks reordered, committed with the original blob's MD5: the service accepts the claim unchecked.
        await blob.CommitBlockListAsync([ids[0], ids[2], ids[1]], new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = claimed } });

        var properties = await Store.GetPropertiesAsync("md5/claimed.bin");
        Assert.Equal(claimed, properties.ContentMd5);
        Assert.Equal(data.Length, properties.ContentLength);
        // Read without checksums (ours would refuse this blob: Azurite checks a whole-blob range against the stored MD5).
        var raw = await Store.Container.GetBlobClient("md5/claimed.bin").DownloadContentAsync(new BlobDownloadOptions
        {
            TransferValidation = new DownloadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.None },
        });
        Assert.Equal([.. data[..BlockSize], .. data[(2 * BlockSize)..], .. data[BlockSize..(2 * BlockSize)]], raw.Value.Content.ToArray());
        // The block list tells: block 2 sits where block 1 belongs.
        Assert.Contains("out of order", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("md5/claimed.bin"), data.Length));
    }

    [Fact]
    public async Task Block_lists_of_other_shapes_are_named()
    {
        var data = RandomBytes(4 * BlockSize, seed: 4);
        await Store.UploadAsync("shape/blob.bin", Writes(data), Binary);
        var blob = Store.Container.GetBlockBlobClient("shape/blob.bin");
        var ids = (await Store.GetBlockListAsync("shape/blob.bin")).Select(b => b.Id).ToList();

        Assert.Null(StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), data.Length));
        Assert.Contains("4096 bytes; 4097", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), data.Length + 1));

        await blob.CommitBlockListAsync([ids[0], ids[1], ids[3]]);
        Assert.Contains("missing, repeated or out of order", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), 3 * BlockSize));

        await Store.UploadAsync("shape/blob.bin", Writes(data), Binary);
        ids = (await Store.GetBlockListAsync("shape/blob.bin")).Select(b => b.Id).ToList();
        await blob.CommitBlockListAsync([ids[0], ids[1], ids[1], ids[2], ids[3]]);
        Assert.Contains("missing, repeated or out of order", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), 5 * BlockSize));

        // A block of another upload (same id length, other upload id) committed among this one's.
        await Store.UploadAsync("shape/blob.bin", Writes(data), Binary);
        ids = (await Store.GetBlockListAsync("shape/blob.bin")).Select(b => b.Id).ToList();
        var stranger = StagedBlockIds.For(StagedBlockIds.NewUploadId(), 1);
        await blob.StageBlockAsync(stranger, new MemoryStream(RandomBytes(BlockSize, seed: 5)));
        await blob.CommitBlockListAsync([ids[0], stranger, ids[2], ids[3]]);
        Assert.Contains("two uploads", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), data.Length));

        // Ids of another writer (here the SDK's own upload helper).
        await blob.UploadAsync(new MemoryStream(data), new BlobUploadOptions { TransferOptions = new StorageTransferOptions { InitialTransferSize = 1, MaximumTransferSize = BlockSize } });
        Assert.Contains("does not write", StagedBlockIds.FindProblem(await Store.GetBlockListAsync("shape/blob.bin"), data.Length));

        Assert.Equal("no committed blocks", StagedBlockIds.FindProblem([], 0));
    }

    [Fact]
    public void Block_ids_have_one_length_and_parse_back()
    {
        var upload = StagedBlockIds.NewUploadId();
        var first = StagedBlockIds.For(upload, 0);
        var last = StagedBlockIds.For(upload, StagedBlockIds.MaxBlocks - 1);
        Assert.Equal(first.Length, last.Length);
        Assert.True(StagedBlockIds.TryParse(last, out var parsedUpload, out var index));
        Assert.Equal((upload, StagedBlockIds.MaxBlocks - 1), (parsedUpload, index));
        Assert.False(StagedBlockIds.TryParse(Convert.ToBase64String(Encoding.ASCII.GetBytes("block-000001")), out _, out _));
        Assert.False(StagedBlockIds.TryParse("not base64!", out _, out _));
    }

    [Fact]
    public async Task A_range_read_returns_exactly_that_range_and_ranges_stay_within_what_the_service_hashes()
    {
        var data = RandomBytes(10_000, seed: 6);
        await Store.UploadAsync("range/blob.bin", Writes(data), Binary);

        Assert.Equal(data[..100], await ReadAllAsync(await Store.OpenReadAsync("range/blob.bin", new HttpRange(0, 100))));
        Assert.Equal(data[9_000..], await ReadAllAsync(await Store.OpenReadAsync("range/blob.bin", new HttpRange(9_000, 4096))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("range/blob.bin", new HttpRange(0, 4 * 1024 * 1024 + 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync("range/blob.bin", new HttpRange(0)));
    }

    [Fact]
    public async Task A_whole_read_spans_several_checked_ranges_and_fails_if_the_blob_is_replaced_meanwhile()
    {
        var data = RandomBytes(9 * 1024 * 1024 + 7, seed: 7);  // three 4 MiB ranges
        var store = AzuriteBlob.CreateStore(ContainerName);  // 4 MiB blocks
        await store.UploadAsync("whole/blob.bin", Writes(data), Binary);
        Assert.Equal(data, await ReadAllAsync(await store.OpenReadAsync("whole/blob.bin")));

        await using var reading = await store.OpenReadAsync("whole/blob.bin");
        var first = new byte[1024];
        await reading.ReadExactlyAsync(first);
        Assert.Equal(data[..1024], first);
        await store.UploadAsync("whole/blob.bin", Writes(RandomBytes(data.Length, seed: 8)), Binary);

        var replaced = await Assert.ThrowsAsync<RequestFailedException>(() => reading.CopyToAsync(Stream.Null));
        Assert.Equal(412, replaced.Status);
    }
}

using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Tests.Blob;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// Verification proves the blob is the bytes the export sent, without reading it all back; and the manifest, the commit
/// marker, is written only where none is, kept when it already describes this archive, replaced only as the version read.
/// </summary>
public sealed class ArchiveVerificationTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ArchiveVerificationTests(ArchiveWorld world) => _w = world;

    private async Task<string> OldMonth(DateOnly month, int rows)
    {
        var partition = $"external_api_logs_p{month:yyyyMM}";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", month);
        await _w.InsertApiLogs(month, rows);
        await _w.Exec($"CREATE TABLE expected_{month:yyyyMM} AS SELECT * FROM {partition}");
        return partition;
    }

    [Fact]
    public async Task A_blob_whose_blocks_were_reordered_under_the_same_md5_fails_verification_and_is_exported_again()
    {
        var month = new DateOnly(2012, 2, 1);
        var partition = await OldMonth(month, 1500);
        var smallBlocks = AzuriteBlob.CreateStore(_w.Container, new BlobStoreOptions { BlockSize = 4096 });
        var tampered = 0;
        // Same bytes, same size, same claimed Content-MD5, first block (the CSV header) unchanged: only the order differs.
        var swapBlocks = new ArchiveStepHook(async (step, p, ct) =>
        {
            if (p != partition || step != ArchiveStep.UploadRecorded || Interlocked.Exchange(ref tampered, 1) != 0) return;
            var blobName = (await _w.Ledger(partition))!.BlobName!;
            var blob = _w.Store.Container.GetBlockBlobClient(blobName);
            var ids = (await _w.Store.GetBlockListAsync(blobName, ct)).Select(b => b.Id).ToList();
            Assert.True(ids.Count >= 3, $"{ids.Count} blocks");
            var properties = await _w.Store.GetPropertiesAsync(blobName, ct);
            await blob.CommitBlockListAsync([ids[0], ids[2], ids[1], .. ids[3..]], new CommitBlockListOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = properties.ContentType, ContentHash = properties.ContentMd5 },
            }, ct);
        });

        var results = await _w.Job(swapBlocks, smallBlocks).RunAsync(ArchiveWorld.Context());

        Assert.Equal(1, tampered);
        var unit = Assert.Single(results, r => r.Unit == partition);
        Assert.True(unit.Outcome == UnitOutcome.Done, unit.Detail);
        Assert.Equal(2, (await _w.Ledger(partition))!.Attempts);  // the tampered blob was not accepted: exported again
        Assert.Null(StagedBlockIds.FindProblem(await _w.Store.GetBlockListAsync((await _w.Ledger(partition))!.BlobName!),
            (await _w.Ledger(partition))!.CompressedBytes!.Value));
        await _w.Restorer().RestoreAsync(partition, attach: false, intoTable: $"back_{month:yyyyMM}", default);
        await _w.AssertSameRows($"expected_{month:yyyyMM}", $"back_{month:yyyyMM}");
    }

    [Fact]
    public async Task A_manifest_left_by_an_earlier_archive_is_replaced_and_the_restore_uses_the_new_one()
    {
        var month = new DateOnly(2012, 3, 1);
        var partition = await OldMonth(month, 400);
        var manifestBlob = ArchiveBlobNames.Manifest("external_api_logs", partition, new DateTimeOffset(2012, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var stale = await _w.Store.UploadAsync(manifestBlob,
            (target, ct) => target.WriteAsync("""{"table":"external_api_logs","sha256":"stale"}"""u8.ToArray(), ct).AsTask(),
            new BlobWrite("application/json"));

        var results = await _w.Job().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);
        Assert.NotEqual(stale.ETag, (await _w.Store.GetPropertiesAsync(manifestBlob)).ETag);
        var manifest = await _w.Restorer().ReadManifestAsync(partition, default);
        Assert.Equal((await _w.Ledger(partition))!.Sha256, manifest.Sha256);
        await _w.Restorer().RestoreAsync(partition, attach: false, intoTable: $"back_{month:yyyyMM}", default);
        await _w.AssertSameRows($"expected_{month:yyyyMM}", $"back_{month:yyyyMM}");
    }

    [Fact]
    public async Task A_manifest_written_before_a_crash_is_kept_as_it_is_by_the_resumed_run()
    {
        var month = new DateOnly(2012, 4, 1);
        var partition = await OldMonth(month, 400);
        var crash = new ArchiveStepHook((step, p, _) =>
            step == ArchiveStep.ManifestWritten && p == partition ? throw new InvalidOperationException("simulated crash") : Task.CompletedTask);

        await _w.Job(crash).RunAsync(ArchiveWorld.Context());
        var manifestBlob = ArchiveBlobNames.Manifest("external_api_logs", partition, new DateTimeOffset(2012, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var written = await _w.Store.GetPropertiesAsync(manifestBlob);
        Assert.True(written.Exists);
        Assert.Equal(ArchiveState.Verified, (await _w.Ledger(partition))!.State);

        var resumed = await _w.Job().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(resumed, r => r.Unit == partition).Outcome);
        Assert.Equal(written.ETag, (await _w.Store.GetPropertiesAsync(manifestBlob)).ETag);  // not rewritten
        await using var body = await _w.Store.OpenReadAsync(manifestBlob);
        var stored = await new StreamReader(body).ReadToEndAsync();
        Assert.Equal(ArchiveManifest.FromJson(stored).CreatedAt, ArchiveManifest.FromJson((await _w.Ledger(partition))!.Manifest!).CreatedAt);
    }
}

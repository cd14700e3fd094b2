using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Data.Partitions;
using TravelFunctions.Data.Users;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// GDPR erasure in the Blob archive (issue 16): the purge (through PgBouncer, as travel_maintenance) records each
/// erased user; ErasureRewrite rewrites every archive holding their rows without them (every other row intact,
/// checksummed), resumes after a crash at each step, handles the Cool and Archive tiers; restore never brings an
/// erased user back; the GDPR export lists the archives that hold the user's rows.
/// </summary>
public sealed class ErasureRewriteTests(ArchiveWorld w) : IClassFixture<ArchiveWorld>
{
    private sealed record Month(DateOnly Start, string Partition, string Expected, Guid Erased, Guid Kept1, Guid Kept2)
    {
        public string Prefix => $"user_events/{Start:yyyy}/{Start:MM}/";
        public string DataBlob => $"{Prefix}{Partition}.csv.gz";
        public string ManifestBlob => $"{Prefix}{Partition}.manifest.json";
        public string Rewritten(int generation) => $"{Prefix}{Partition}.g{generation}.csv.gz";
    }

    /// <summary>
    /// A month of user_events for three users (the awkward values: quotes, commas, newlines, unicode in JSON and text),
    /// (archived and dropped by PartitionMaintenance in <see cref="ArchivedMonth"/>); <c>Expected</c> holds the rows of
    /// the two users that stay.
    /// </summary>
    private async Task<Month> FilledMonth(DateOnly start)
    {
        await w.Exec("""
            UPDATE maintenance.table_settings SET enabled = (table_name IN ('user_events', 'users'));
            UPDATE maintenance.table_settings SET hot_months = 12 WHERE table_name = 'user_events';
            """);
        var m = new Month(start, $"user_events_p{start:yyyyMM}", $"expected_events_{start:yyyyMM}", await w.CreateUser(), await w.CreateUser(), await w.CreateUser());
        await w.CreateMonth("user_events", start);
        await w.Exec("""
            INSERT INTO user_events (user_id, event_type, category, data, session_id, device_type, occurred_at)
            SELECT (ARRAY[@Erased, @Kept1, @Kept2]::uuid[])[1 + g % 3], 'page.view', CASE WHEN g % 4 = 0 THEN NULL ELSE 'nav' END,
                   CASE g % 5 WHEN 0 THEN NULL
                        ELSE jsonb_build_object('text', E'comma, "quote"\nnewline ✈ ' || g, 'n', g * 1.5, 'arr', jsonb_build_array(g, null, true)) END,
                   CASE WHEN g % 2 = 0 THEN 's,"' || g || '"' ELSE NULL END, 'mobile',
                   (@Start::date::timestamp AT TIME ZONE 'UTC') + make_interval(secs => g * 61.5)
              FROM generate_series(1, 900) AS g
            """, new { m.Erased, m.Kept1, m.Kept2, Start = start });
        await w.Exec($"CREATE TABLE {m.Expected} AS SELECT * FROM {m.Partition} WHERE user_id <> @Erased", new { m.Erased });
        return m;
    }

    private async Task<Month> ArchivedMonth(DateOnly start)
    {
        var m = await FilledMonth(start);
        var archived = await w.Job().RunAsync(ArchiveWorld.Context());
        Assert.Equal(UnitOutcome.Done, Assert.Single(archived, r => r.Unit == m.Partition).Outcome);
        Assert.False(await w.TableExists(m.Partition));
        return m;
    }

    /// <summary>The user asks to be deleted; RetentionPurge (travel_maintenance through PgBouncer) erases them 31 days later.</summary>
    private async Task Purge(Guid user)
    {
        await w.Exec("UPDATE users SET status = 'deleted', deleted_at = now() - interval '31 days' WHERE id = @user", new { user });
        await using var sources = new TravelDataSources(w.Database.Maintenance, w.Database.Direct);
        var purge = new RetentionPurgeJob(sources, Options.Create(new MaintenanceOptions()));
        var results = await purge.RunAsync(ArchiveWorld.Context());
        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == "users").Outcome);
        Assert.False(await w.Scalar<bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = @user)", new { user }));
    }

    private ErasureRewriteJob RewriteJob(IErasureStepHook? hook = null, IBlobStore? store = null) =>
        new(w.Direct, new ErasureRewriter(w.Direct, store ?? w.Store, NullLogger.Instance, hook), NullLogger.Instance);

    private async Task<ArchiveManifest> Manifest(Month m)
    {
        await using var stream = await w.Store.OpenReadAsync(m.ManifestBlob);
        using var reader = new StreamReader(stream);
        return ArchiveManifest.FromJson(await reader.ReadToEndAsync());
    }

    private async Task<string> BlobText(string blob)
    {
        await using var stream = await w.Store.OpenReadAsync(blob);
        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Same rows both ways (EXCEPT ALL) and the same checksum over every row's text, in key order.</summary>
    private async Task AssertIntact(string expected, string actual)
    {
        await w.AssertSameRows(expected, actual);
        const string Checksum = "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.occurred_at, t.id)) FROM {0} t";
        Assert.Equal(await w.Scalar<string>(string.Format(Checksum, expected)), await w.Scalar<string>(string.Format(Checksum, actual)));
    }

    [Fact]
    public async Task A_purged_users_rows_leave_the_archive_and_every_other_row_stays()
    {
        var m = await ArchivedMonth(new DateOnly(2016, 1, 1));
        var archiveId = await w.Scalar<long>("SELECT id FROM maintenance.partition_archives WHERE partition_name = @p", new { p = m.Partition });
        Assert.Equal(3, await w.Scalar<long>("SELECT count(*) FROM maintenance.archived_users WHERE archive_id = @archiveId", new { archiveId }));
        var before = await Manifest(m);
        Assert.Equal(900, before.RowCount);

        await Purge(m.Erased);
        var seq = await w.Scalar<long>("SELECT seq FROM maintenance.erasures WHERE user_id = @Erased", new { m.Erased });
        Assert.True(seq > before.ErasureWatermark);

        var results = await RewriteJob().RunAsync(ArchiveWorld.Context());

        var unit = Assert.Single(results, r => r.Unit == m.Partition);
        Assert.True(unit.Outcome == UnitOutcome.Done, unit.Detail);
        Assert.Equal(300L, unit.Data!["removed"]);
        // The old blob is gone; the manifest names the new one and records the erasures it reflects.
        Assert.Equal([m.Rewritten(1), m.ManifestBlob], await w.BlobNames(m.Prefix));
        var after = await Manifest(m);
        Assert.Equal(m.Rewritten(1), after.Blob);
        Assert.Equal(600, after.RowCount);
        Assert.Equal(300, after.ErasedRows);
        Assert.Equal(1, after.Generation);
        Assert.True(after.ErasureWatermark >= seq);
        Assert.Equal(before.Columns, after.Columns);
        // The archive holds nothing of the erased user: their id appears nowhere in its bytes.
        var text = await BlobText(after.Blob);
        Assert.DoesNotContain(m.Erased.ToString(), text);
        Assert.Contains(m.Kept1.ToString(), text);
        // The ledger follows: the new blob, the user set without the erased user.
        var ledger = (await w.Ledger(m.Partition))!;
        Assert.Equal((after.Blob, 600L, after.Sha256, 1, 300L), (ledger.BlobName!, ledger.RowCount!.Value, ledger.Sha256!, ledger.Generation, ledger.ErasedRows));
        Assert.False(await w.Scalar<bool>("SELECT EXISTS (SELECT 1 FROM maintenance.archived_users WHERE user_id = @Erased)", new { m.Erased }));
        // Every other row intact: the archive restores (SHA-256 checked against the new manifest) to exactly them.
        var back = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: $"back_{m.Start:yyyyMM}", default);
        Assert.Equal((600L, 0L), (back.Rows, back.ErasedRows));
        await AssertIntact(m.Expected, $"back_{m.Start:yyyyMM}");

        // Nothing left to do: the next run reads no blob.
        var again = await RewriteJob().RunAsync(ArchiveWorld.Context());
        Assert.DoesNotContain(again, r => r.Unit == m.Partition);
    }

    [Fact]
    public async Task Restore_after_an_erasure_leaves_the_user_out_and_attaches()
    {
        var m = await ArchivedMonth(new DateOnly(2016, 2, 1));
        await Purge(m.Erased);  // no rewrite yet: the archive still holds the user's rows

        var side = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: "events_side_201602", default);
        Assert.Equal((600L, 300L), (side.Rows, side.ErasedRows));
        await AssertIntact(m.Expected, "events_side_201602");

        // --attach works (user_events references users) and the erased user does not come back.
        var attached = await w.Restorer().RestoreAsync(m.Partition, attach: true, intoTable: null, default);
        Assert.True(attached.Attached);
        Assert.Equal(600L, attached.Rows);
        Assert.True(await w.IsAttached(m.Partition));
        await AssertIntact(m.Expected, m.Partition);
        Assert.Equal(0L, await w.Scalar<long>("SELECT count(*) FROM user_events WHERE user_id = @Erased", new { m.Erased }));
    }

    [Fact]
    public async Task A_rewritten_archive_restored_and_archived_again_leaves_no_stale_blob()
    {
        var m = await ArchivedMonth(new DateOnly(2016, 3, 1));
        await Purge(m.Erased);
        Assert.Equal(UnitOutcome.Done, Assert.Single(await RewriteJob().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition).Outcome);
        await Purge(m.Kept2);  // erased after the rewrite: the restore leaves them out by the manifest's watermark
        await w.Exec($"DELETE FROM {m.Expected} WHERE user_id = @Kept2", new { m.Kept2 });

        var attached = await w.Restorer().RestoreAsync(m.Partition, attach: true, intoTable: null, default);
        Assert.Equal((300L, 300L), (attached.Rows, attached.ErasedRows));
        await AssertIntact(m.Expected, m.Partition);

        // Cold again: archived anew (its own blob name); the rewritten blob of the earlier cycle goes once the new
        // manifest is recorded, also when the run crashes right after recording it.
        var crash = new ArchiveStepHook((step, _, _) =>
            step == ArchiveStep.Manifested ? throw new InvalidOperationException("simulated crash") : Task.CompletedTask);
        Assert.Equal(UnitOutcome.Failed, Assert.Single(await w.Job(crash).RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition).Outcome);
        Assert.Contains(m.Rewritten(1), await w.BlobNames(m.Prefix));
        Assert.Equal(UnitOutcome.Done, Assert.Single(await w.Job().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition).Outcome);
        Assert.Equal([m.DataBlob, m.ManifestBlob], await w.BlobNames(m.Prefix));
        var manifest = await Manifest(m);
        Assert.Equal((m.DataBlob, 300L, 0), (manifest.Blob, manifest.RowCount, manifest.Generation));
        Assert.True(manifest.ErasureWatermark >= await w.Scalar<long>("SELECT seq FROM maintenance.erasures WHERE user_id = @Kept2", new { m.Kept2 }));
        // Both erasures predate this archive: nothing for the rewrite job.
        Assert.DoesNotContain(await RewriteJob().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition);
    }

    public static TheoryData<ErasureStep> Steps() => new(Enum.GetValues<ErasureStep>());

    private sealed class CrashAt(ErasureStep at) : IErasureStepHook
    {
        public Task AfterAsync(ErasureStep step, string p, CancellationToken ct) =>
            step == at ? throw new InvalidOperationException($"simulated crash after {step}") : Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_crash_after_each_step_is_resumed_by_the_next_run(ErasureStep step)
    {
        var m = await ArchivedMonth(new DateOnly(2017, 1, 1).AddMonths((int)step));
        await Purge(m.Erased);

        var crashed = await RewriteJob(new CrashAt(step)).RunAsync(ArchiveWorld.Context());

        var unit = Assert.Single(crashed, r => r.Unit == m.Partition);
        Assert.Equal(UnitOutcome.Failed, unit.Outcome);
        Assert.Contains("simulated crash", unit.Detail);
        var state = await w.Scalar<string>("""
            SELECT r.state FROM maintenance.archive_rewrites r JOIN maintenance.partition_archives a ON a.id = r.archive_id
             WHERE a.partition_name = @p
            """, new { p = m.Partition });
        Assert.Equal(step switch
        {
            ErasureStep.Uploaded => RewriteState.Pending,
            ErasureStep.UploadRecorded => RewriteState.Uploaded,
            ErasureStep.Verified or ErasureStep.ManifestWritten => RewriteState.Verified,
            ErasureStep.Committed => RewriteState.Committed,
            _ => RewriteState.Done,
        }, state);
        // The old blob is there until the step after the commit; whichever blob the manifest names now restores
        // to the kept rows (the restore leaves the erased user out by itself while the old blob is still the archive).
        Assert.Equal(step < ErasureStep.Done, (await w.Store.GetPropertiesAsync(m.DataBlob)).Exists);
        var during = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: $"during_{m.Start:yyyyMM}", default);
        Assert.Equal(600L, during.Rows);
        await AssertIntact(m.Expected, $"during_{m.Start:yyyyMM}");

        var resumed = await RewriteJob().RunAsync(ArchiveWorld.Context());

        if (step == ErasureStep.Done)
            Assert.DoesNotContain(resumed, r => r.Unit == m.Partition);  // complete: nothing left to do
        else
        {
            var done = Assert.Single(resumed, r => r.Unit == m.Partition);
            Assert.True(done.Outcome == UnitOutcome.Done, done.Detail);
        }
        Assert.Equal([m.Rewritten(1), m.ManifestBlob], await w.BlobNames(m.Prefix));
        var rewrite = await w.Scalar<int>("""
            SELECT r.attempts FROM maintenance.archive_rewrites r JOIN maintenance.partition_archives a ON a.id = r.archive_id
             WHERE a.partition_name = @p AND r.state = 'done'
            """, new { p = m.Partition });
        Assert.Equal(step == ErasureStep.Uploaded ? 2 : 1, rewrite);  // only a crash before the upload was recorded repeats it
        var manifest = await Manifest(m);
        Assert.Equal((m.Rewritten(1), 600L, 300L), (manifest.Blob, manifest.RowCount, manifest.ErasedRows));
        Assert.DoesNotContain(m.Erased.ToString(), await BlobText(manifest.Blob));
        var back = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: $"after_{m.Start:yyyyMM}", default);
        Assert.Equal((600L, 0L), (back.Rows, back.ErasedRows));
        await AssertIntact(m.Expected, $"after_{m.Start:yyyyMM}");
    }

    [Fact]
    public async Task A_cool_blob_is_read_directly_and_the_new_blob_stays_cool()
    {
        var m = await ArchivedMonth(new DateOnly(2018, 1, 1));
        await w.Store.SetAccessTierAsync(m.DataBlob, BlobTiers.Cool);
        await Purge(m.Erased);

        var results = await RewriteJob().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == m.Partition).Outcome);
        Assert.Equal(BlobTiers.Cool, (await w.Store.GetPropertiesAsync(m.Rewritten(1))).AccessTier);
        Assert.False((await w.Store.GetPropertiesAsync(m.DataBlob)).Exists);
    }

    [Fact]
    public async Task An_archive_tier_blob_is_rehydrated_first_and_rewritten_on_a_later_run()
    {
        var m = await ArchivedMonth(new DateOnly(2018, 2, 1));
        await w.Store.SetAccessTierAsync(m.DataBlob, BlobTiers.Archive);
        // Azurite, like Azure, refuses to read an Archive-tier blob.
        var refused = await Assert.ThrowsAsync<RequestFailedException>(async () => await BlobText(m.DataBlob));
        Assert.Equal(409, refused.Status);
        await Purge(m.Erased);

        var first = await RewriteJob().RunAsync(ArchiveWorld.Context());

        var waiting = Assert.Single(first, r => r.Unit == m.Partition);
        Assert.Equal(UnitOutcome.Deferred, waiting.Outcome);
        Assert.Contains("rehydration", waiting.Detail);
        Assert.Equal($"{RewriteState.Rehydrating} {BlobTiers.Archive}", await w.Scalar<string>("""
            SELECT r.state || ' ' || r.old_tier FROM maintenance.archive_rewrites r JOIN maintenance.partition_archives a ON a.id = r.archive_id
             WHERE a.partition_name = @p
            """, new { p = m.Partition }));
        Assert.Equal([m.DataBlob, m.ManifestBlob], await w.BlobNames(m.Prefix));
        // Azurite rehydrates at once (Azure takes hours and reports rehydrate-pending-to-hot meanwhile).
        Assert.Equal(BlobTiers.Hot, (await w.Store.GetPropertiesAsync(m.DataBlob)).AccessTier);

        var second = await RewriteJob().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(second, r => r.Unit == m.Partition).Outcome);
        Assert.Equal([m.Rewritten(1), m.ManifestBlob], await w.BlobNames(m.Prefix));
        // Back where the archive was kept.
        Assert.Equal(BlobTiers.Archive, (await w.Store.GetPropertiesAsync(m.Rewritten(1))).AccessTier);
        await w.Store.SetAccessTierAsync(m.Rewritten(1), BlobTiers.Hot);
        var back = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: "rehydrated_201802", default);
        Assert.Equal((600L, 0L), (back.Rows, back.ErasedRows));
        await AssertIntact(m.Expected, "rehydrated_201802");
    }

    [Fact]
    public async Task The_gdpr_export_lists_the_archived_months_that_hold_the_users_rows()
    {
        var m = await ArchivedMonth(new DateOnly(2018, 3, 1));
        var loner = await w.CreateUser();
        await using var sources = new TravelDataSources(w.Database.Pooled, null);
        var export = new UserExport(new Db(sources));

        using var mine = JsonDocument.Parse(await export.ExportAsync(m.Kept1, default));
        var partitions = mine.RootElement.GetProperty("archives").GetProperty("partitions").EnumerateArray().ToList();
        var listed = Assert.Single(partitions, p => p.GetProperty("from").GetDateTimeOffset() == new DateTimeOffset(2018, 3, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal("user_events", listed.GetProperty("table").GetString());
        Assert.Equal(m.DataBlob, listed.GetProperty("blob").GetString());
        Assert.True(listed.GetProperty("certain").GetBoolean());
        Assert.Contains("ErasureRewrite", mine.RootElement.GetProperty("archives").GetProperty("note").GetString());

        using var none = JsonDocument.Parse(await export.ExportAsync(loner, default));
        Assert.Empty(none.RootElement.GetProperty("archives").GetProperty("partitions").EnumerateArray());
    }

    [Fact]
    public async Task An_erasure_is_recorded_with_the_delete_or_not_at_all()
    {
        var user = await w.CreateUser();
        await using (var conn = await w.Direct.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using var delete = new Npgsql.NpgsqlCommand("DELETE FROM users WHERE id = @user", conn, tx);
            delete.Parameters.AddWithValue("user", user);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
            await tx.RollbackAsync();
        }
        Assert.False(await w.Scalar<bool>("SELECT EXISTS (SELECT 1 FROM maintenance.erasures WHERE user_id = @user)", new { user }));
        await Purge(user);
        Assert.True(await w.Scalar<bool>("SELECT EXISTS (SELECT 1 FROM maintenance.erasures WHERE user_id = @user)", new { user }));
    }

    [Fact]
    public async Task An_export_waits_for_an_erasure_in_flight_and_reflects_it()
    {
        var m = await FilledMonth(new DateOnly(2018, 4, 1));
        PartitionInfo partition;
        await using (var conn = await w.Direct.OpenConnectionAsync())
        {
            var table = (await PartitionCatalog.ListTablesAsync(conn, default)).Single(t => t.Name == "user_events");
            partition = (await PartitionCatalog.FindAttachedAsync(conn, table, m.Partition, default))!;
        }
        // A purge's transaction, not committed yet: the user and (by FK cascade) their rows deleted, the erasure recorded.
        await using var purge = await w.Direct.OpenConnectionAsync();
        await using var tx = await purge.BeginTransactionAsync();
        await using (var delete = new Npgsql.NpgsqlCommand("DELETE FROM users WHERE id = @user", purge, tx))
        {
            delete.Parameters.AddWithValue("user", m.Erased);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var archiving = Task.Run(() => w.Archiver().ArchiveAsync(partition, attached: true));
        // The export waits for the purge (its lock on the partition or on maintenance.erasures is not granted).
        const string Waiting = """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND relation IN (to_regclass(@p), 'maintenance.erasures'::regclass))
            """;
        for (var i = 0; i < 600 && !await w.Scalar<bool>(Waiting, new { p = "public." + m.Partition }); i++)
            await Task.Delay(100);
        Assert.True(await w.Scalar<bool>(Waiting, new { p = "public." + m.Partition }), "the export did not wait for the erasure in flight");
        Assert.False(archiving.IsCompleted);
        await tx.CommitAsync();

        var result = await archiving;

        Assert.True(result.Outcome == UnitOutcome.Done, result.Detail);
        var seq = await w.Scalar<long>("SELECT seq FROM maintenance.erasures WHERE user_id = @Erased", new { m.Erased });
        var manifest = await Manifest(m);
        Assert.Equal(600, manifest.RowCount);
        Assert.True(manifest.ErasureWatermark >= seq, $"watermark {manifest.ErasureWatermark} < erasure {seq}");
        Assert.Equal(2, await w.Scalar<long>("""
            SELECT count(*) FROM maintenance.archived_users u JOIN maintenance.partition_archives a ON a.id = u.archive_id
             WHERE a.partition_name = @p
            """, new { p = m.Partition }));
        // The archive reflects the erasure: nothing for the rewrite job, nothing left out by a restore.
        Assert.DoesNotContain(await RewriteJob().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition);
        var back = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: "inflight_201804", default);
        Assert.Equal((600L, 0L), (back.Rows, back.ErasedRows));
        await AssertIntact(m.Expected, "inflight_201804");
    }

    /// <summary>
    /// The real store, except that the data blob of <c>archived</c> is reported in the Archive tier with a rehydration
    /// under way (what Azure reports for hours; Azurite rehydrates at once), and tier changes are counted.
    /// </summary>
    private sealed class RehydratingStore(IBlobStore live, string archived) : IBlobStore
    {
        public int TierRequests;
        public string ContainerName => live.ContainerName;
        public Task EnsureContainerExistsAsync(CancellationToken ct = default) => live.EnsureContainerExistsAsync(ct);
        public Task<BlobUploadResult> UploadAsync(string n, Func<Stream, CancellationToken, Task> w, BlobWrite b, CancellationToken ct = default) => live.UploadAsync(n, w, b, ct);
        public Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string n, CancellationToken ct = default) => live.GetBlockListAsync(n, ct);
        public Task<Stream> OpenReadAsync(string n, CancellationToken ct = default) =>
            n == archived ? throw new InvalidOperationException("read an Archive-tier blob") : live.OpenReadAsync(n, ct);
        public Task<Stream> OpenReadAsync(string n, HttpRange r, CancellationToken ct = default) => live.OpenReadAsync(n, r, ct);
        public async Task<BlobProperties> GetPropertiesAsync(string n, CancellationToken ct = default)
        {
            var p = await live.GetPropertiesAsync(n, ct);
            return n == archived && p.Exists ? p with { AccessTier = BlobTiers.Archive, ArchiveStatus = "rehydrate-pending-to-hot" } : p;
        }
        public IAsyncEnumerable<BlobItem> ListBlobsAsync(string p, bool md = false, CancellationToken ct = default) => live.ListBlobsAsync(p, md, ct);
        public Task<bool> DeleteAsync(string n, ETag? e = null, CancellationToken ct = default) => live.DeleteAsync(n, e, ct);
        public Task SetAccessTierAsync(string n, string t, CancellationToken ct = default)
        {
            Interlocked.Increment(ref TierRequests);
            return live.SetAccessTierAsync(n, t, ct);
        }
    }

    [Fact]
    public async Task While_a_rehydration_is_pending_the_rewrite_waits_without_asking_again()
    {
        var m = await ArchivedMonth(new DateOnly(2018, 5, 1));
        await Purge(m.Erased);
        var pending = new RehydratingStore(w.Store, m.DataBlob);

        foreach (var _ in new[] { 1, 2 })
        {
            var waiting = Assert.Single(await RewriteJob(store: pending).RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition);
            Assert.Equal(UnitOutcome.Deferred, waiting.Outcome);
            Assert.Contains("rehydrate-pending-to-hot", waiting.Detail);
        }
        Assert.Equal(0, pending.TierRequests);
        Assert.Equal([m.DataBlob, m.ManifestBlob], await w.BlobNames(m.Prefix));

        // Online again: the rewrite goes on, and puts the new blob back in the Archive tier it found the old one in.
        var done = Assert.Single(await RewriteJob().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition);
        Assert.Equal(UnitOutcome.Done, done.Outcome);
        Assert.Equal(BlobTiers.Archive, (await w.Store.GetPropertiesAsync(m.Rewritten(1))).AccessTier);
    }

    [Fact]
    public async Task An_archive_without_a_user_set_is_rewritten_for_any_newer_erasure_and_listed_as_uncertain()
    {
        var m = await ArchivedMonth(new DateOnly(2018, 6, 1));
        // As an archive written before 0019: no watermark, no user set.
        await w.Exec("""
            UPDATE maintenance.partition_archives SET users_recorded = false, erasure_watermark = 0 WHERE partition_name = @p;
            DELETE FROM maintenance.archived_users u USING maintenance.partition_archives a WHERE a.id = u.archive_id AND a.partition_name = @p;
            UPDATE users SET created_at = '2018-01-01Z' WHERE id = @Kept1;  -- such an archive is listed for the months the account existed in
            """, new { p = m.Partition, m.Kept1 });
        await using (var sources = new TravelDataSources(w.Database.Pooled, null))
        {
            using var mine = JsonDocument.Parse(await new UserExport(new Db(sources)).ExportAsync(m.Kept1, default));
            var listed = Assert.Single(mine.RootElement.GetProperty("archives").GetProperty("partitions").EnumerateArray(),
                p => p.GetProperty("blob").GetString() == m.DataBlob);
            Assert.False(listed.GetProperty("certain").GetBoolean());
        }
        await Purge(m.Erased);

        var done = Assert.Single(await RewriteJob().RunAsync(ArchiveWorld.Context()), r => r.Unit == m.Partition);

        Assert.Equal(UnitOutcome.Done, done.Outcome);
        Assert.Equal(300L, done.Data!["removed"]);
        var back = await w.Restorer().RestoreAsync(m.Partition, attach: false, intoTable: "legacy_201806", default);
        Assert.Equal((600L, 0L), (back.Rows, back.ErasedRows));
        await AssertIntact(m.Expected, "legacy_201806");
    }
}

using System.Buffers;
using System.IO.Compression;
using System.Text;
using Azure;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Archive;

/// <summary>The states of maintenance.archive_rewrites, in order: each is the last step that completed.</summary>
public static class RewriteState
{
    public const string Pending = "pending";
    public const string Rehydrating = "rehydrating";
    public const string Uploaded = "uploaded";
    public const string Verified = "verified";
    public const string Committed = "committed";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>One row of maintenance.archive_rewrites.</summary>
public sealed class ArchiveRewrite
{
    public long Id { get; set; }
    public long ArchiveId { get; set; }
    public int Generation { get; set; }
    public long TargetWatermark { get; set; }
    public string State { get; set; } = "";
    public string OldBlob { get; set; } = "";
    public string? OldTier { get; set; }
    public string NewBlob { get; set; } = "";
    public long? OldRows { get; set; }
    public long? RemovedRows { get; set; }
    public long? NewRows { get; set; }
    public string? NewSha256 { get; set; }
    public long? NewBytes { get; set; }
    public string? NewMd5 { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Points in one archive's rewrite where a crash may happen, in order (the test seam, <see cref="IErasureStepHook"/>).</summary>
public enum ErasureStep
{
    /// <summary>The new blob is committed in the store; the ledger still says 'pending'.</summary>
    Uploaded,
    /// <summary>The ledger says 'uploaded'.</summary>
    UploadRecorded,
    /// <summary>The new blob was read back and checked; the ledger says 'verified'.</summary>
    Verified,
    /// <summary>The manifest names the new blob; the ledger still says 'verified'.</summary>
    ManifestWritten,
    /// <summary>partition_archives names the new blob and the rewrite says 'committed' (one transaction).</summary>
    Committed,
    /// <summary>The old blob is deleted and the rewrite says 'done'.</summary>
    Done,
}

/// <summary>Test seam: called after each <see cref="ErasureStep"/>; throwing simulates a crash there.</summary>
public interface IErasureStepHook
{
    Task AfterAsync(ErasureStep step, string partition, CancellationToken cancellationToken);
}

/// <summary>Adapts a delegate to <see cref="IErasureStepHook"/>.</summary>
public sealed class ErasureStepHook(Func<ErasureStep, string, CancellationToken, Task> after) : IErasureStepHook
{
    public Task AfterAsync(ErasureStep step, string partition, CancellationToken cancellationToken) => after(step, partition, cancellationToken);
}

/// <summary>
/// Removes the rows of erased users from one archived partition, with the archive's own rules: stream the old blob
/// (gunzip → drop the erased users' records → gzip → block upload to a new, generation-numbered blob; the old
/// blob's SHA-256 and row count are checked against its manifest as the bytes pass, and kept + removed must equal
/// them), read the new blob back and check it (size, Content-MD5, SHA-256, row count = old − removed, no erased
/// user's row left), replace the manifest (the commit marker: it names the new blob, the erasure watermark it
/// reflects and the rows erased), record it in partition_archives in one transaction, then delete the old blob.
/// Each step is recorded in maintenance.archive_rewrites, so a run killed at any point is resumed by the next one;
/// until the manifest names the new blob the old one is the archive, and it is deleted only after that.
/// A blob in the Archive tier cannot be read: its rehydration (to Hot, Standard priority) is requested and the
/// rewrite comes back on a later run; the new blob is put back in the old blob's tier (Cool, Cold or Archive).
/// </summary>
public sealed class ErasureRewriter
{
    private const int ChunkBytes = 256 * 1024;
    private const int GzipLevel = 2;  // as the export (PartitionExporter)
    private const string DataContentType = "application/gzip";
    private const string ManifestContentType = "application/json";

    private readonly NpgsqlDataSource _direct;
    private readonly IBlobStore _store;
    private readonly ILogger _logger;
    private readonly IErasureStepHook? _hook;
    private readonly TimeProvider _clock;

    public ErasureRewriter(NpgsqlDataSource direct, IBlobStore store, ILogger? logger = null, IErasureStepHook? hook = null, TimeProvider? clock = null)
    {
        Connections.DapperSetup.Configure();
        _direct = direct;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _hook = hook;
        _clock = clock ?? TimeProvider.System;
    }

    private const string RewriteColumns = """
        id, archive_id, generation, target_watermark, state, old_blob, old_tier, new_blob, old_rows, removed_rows, new_rows,
        new_sha256, new_bytes, new_md5, attempts, last_error
        """;

    /// <summary>
    /// The archives to work on: those with an open rewrite (to resume), and dropped archives that an erasure newer than
    /// their watermark touches: a user recorded in the archive's user set, or any user for an archive without one.
    /// </summary>
    public async Task<IReadOnlyList<ArchiveRecord>> CandidatesAsync(CancellationToken ct)
    {
        await using var conn = await _direct.OpenConnectionAsync(ct);
        var ids = (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT a.id FROM maintenance.partition_archives a
             WHERE EXISTS (SELECT 1 FROM maintenance.archive_rewrites r WHERE r.archive_id = a.id AND r.state NOT IN ('done', 'failed'))
                OR (a.state = 'dropped' AND (a.manifest -> 'columns') @> '[{"name": "user_id"}]'::jsonb
                    AND EXISTS (SELECT 1 FROM maintenance.erasures e
                                 WHERE e.seq > a.erasure_watermark
                                   AND (NOT a.users_recorded
                                        OR EXISTS (SELECT 1 FROM maintenance.archived_users u WHERE u.archive_id = a.id AND u.user_id = e.user_id))))
             ORDER BY a.table_name, a.range_from
            """, cancellationToken: ct))).ToList();
        var list = new List<ArchiveRecord>();
        foreach (var id in ids)
            if (await GetArchiveAsync(conn, id, ct) is { } a) list.Add(a);
        return list;
    }

    private static Task<ArchiveRecord?> GetArchiveAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<ArchiveRecord>(new CommandDefinition("""
            SELECT id, table_name, partition_name, range_from, range_to, state, blob_name, manifest_blob_name, row_count,
                   sha256, compressed_bytes, compressed_md5, manifest::text AS manifest, attempts, last_error, updated_at,
                   erasure_watermark, generation, erased_rows, users_recorded, superseded_blob
              FROM maintenance.partition_archives WHERE id = @id
            """, new { id }, cancellationToken: ct));

    private static Task<ArchiveRewrite?> OpenRewriteAsync(NpgsqlConnection conn, long archiveId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<ArchiveRewrite>(new CommandDefinition(
            $"SELECT {RewriteColumns} FROM maintenance.archive_rewrites WHERE archive_id = @archiveId AND state NOT IN ('done', 'failed')",
            new { archiveId }, cancellationToken: ct));

    private static Task<ArchiveRewrite> GetRewriteAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        conn.QuerySingleAsync<ArchiveRewrite>(new CommandDefinition(
            $"SELECT {RewriteColumns} FROM maintenance.archive_rewrites WHERE id = @id", new { id }, cancellationToken: ct));

    /// <summary>Rewrites (or resumes the rewrite of) one archive; the unit is its partition name.</summary>
    public async Task<UnitResult> RewriteAsync(ArchiveRecord archive, Func<bool>? outOfTime = null, bool dryRun = false, CancellationToken ct = default)
    {
        outOfTime ??= () => false;
        var unit = archive.PartitionName;
        await using var conn = await _direct.OpenConnectionAsync(ct);
        var a = await GetArchiveAsync(conn, archive.Id, ct) ?? throw new InvalidOperationException($"archive ledger row {archive.Id} is gone");
        var rw = await OpenRewriteAsync(conn, a.Id, ct);

        if (dryRun)
            return new UnitResult(unit, UnitOutcome.Done,
                rw is null ? $"dry run: would remove the rows of users erased after watermark {a.ErasureWatermark} from {a.BlobName}"
                : StillApplies(a, rw) ? $"dry run: would resume the rewrite of {a.BlobName} after state '{rw.State}'"
                : $"dry run: would give up the rewrite left at '{rw.State}' (the archive changed since)");
        if (rw is not null && !StillApplies(a, rw))
            return await AbandonAsync(conn, a, rw, ct);
        if (rw is null)
        {
            if (a.State != ArchiveState.Dropped || a.Manifest is null || a.BlobName is null)
                return new UnitResult(unit, UnitOutcome.NothingToDo, $"archive in state '{a.State}', not a finished archive");
            rw = await BeginAsync(conn, a, ct);
            if (rw is null) return new UnitResult(unit, UnitOutcome.NothingToDo, "no erasure newer than the archive's watermark touches it");
        }

        var reuploads = 0;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (rw.State == RewriteState.Done)
                    return new UnitResult(unit, UnitOutcome.Done,
                        $"removed {rw.RemovedRows} rows of erased users: {rw.OldBlob} ({rw.OldRows} rows) → {rw.NewBlob} ({rw.NewRows} rows), " +
                        $"erasures up to {rw.TargetWatermark}",
                        new Dictionary<string, object?> { ["removed"] = rw.RemovedRows, ["rows"] = rw.NewRows, ["blob"] = rw.NewBlob });
                if (outOfTime())
                    return new UnitResult(unit, UnitOutcome.Deferred, $"out of time after state '{rw.State}'; the next run resumes from there");

                switch (rw.State)
                {
                    case RewriteState.Pending:
                    case RewriteState.Rehydrating:
                        if (await RehydrationPendingAsync(conn, rw, ct) is { } waiting)
                            return new UnitResult(unit, UnitOutcome.Deferred, waiting);
                        await Execute(conn, "UPDATE maintenance.archive_rewrites SET attempts = attempts + 1 WHERE id = @Id", rw, ct);
                        var written = await FilterAsync(conn, a, rw, ct);
                        await Hook(ErasureStep.Uploaded, unit, ct);
                        await Transition(conn, null, rw, rw.State, """
                            state = 'uploaded', old_rows = @OldRows, removed_rows = @RemovedRows, new_rows = @NewRows,
                            new_sha256 = @NewSha256, new_bytes = @NewBytes, new_md5 = @NewMd5, last_error = NULL
                            """, written, ct);
                        _logger.LogInformation("Erasure rewrite {Partition}: {Removed} of {Rows} rows removed into {Blob}",
                            unit, written.RemovedRows, written.OldRows, rw.NewBlob);
                        await Hook(ErasureStep.UploadRecorded, unit, ct);
                        break;

                    case RewriteState.Uploaded:
                        var problem = await VerifyAsync(conn, a, rw, ct);
                        if (problem is not null)
                        {
                            _logger.LogWarning("Erasure rewrite {Partition}: verification failed: {Problem}", unit, problem);
                            if (reuploads++ > 0) throw new InvalidDataException("verification failed again after a new upload: " + problem);
                            await Transition(conn, null, rw, RewriteState.Uploaded, "state = 'pending', last_error = left(@Problem, 4000)",
                                new { Problem = "verification failed: " + problem }, ct);
                            break;
                        }
                        await Transition(conn, null, rw, RewriteState.Uploaded, "state = 'verified', last_error = NULL", null, ct);
                        await Hook(ErasureStep.Verified, unit, ct);
                        break;

                    case RewriteState.Verified:
                        var json = await WriteManifestAsync(a, rw, ct);
                        await Hook(ErasureStep.ManifestWritten, unit, ct);
                        await CommitAsync(a, rw, json, ct);
                        await Hook(ErasureStep.Committed, unit, ct);
                        break;

                    case RewriteState.Committed:
                        // The new blob goes where the old one was kept (a rehydrated Archive blob's tier is the one recorded first).
                        if (rw.OldTier is BlobTiers.Cool or BlobTiers.Cold or BlobTiers.Archive &&
                            (await _store.GetPropertiesAsync(rw.NewBlob, ct)).AccessTier != rw.OldTier)
                            await _store.SetAccessTierAsync(rw.NewBlob, rw.OldTier, ct);
                        await _store.DeleteAsync(rw.OldBlob, cancellationToken: ct);
                        await Transition(conn, null, rw, RewriteState.Committed, "state = 'done'", null, ct);
                        await Hook(ErasureStep.Done, unit, ct);
                        break;

                    default:
                        return new UnitResult(unit, UnitOutcome.Failed, $"unknown rewrite state '{rw.State}'");
                }
                rw = await GetRewriteAsync(conn, rw.Id, ct);
                a = await GetArchiveAsync(conn, a.Id, ct) ?? throw new InvalidOperationException($"archive ledger row {a.Id} is gone");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var detail = $"erasure rewrite of {unit} stopped at state '{rw.State}': {ex.Message}";
            _logger.LogError(ex, "Erasure rewrite of {Partition} failed: {Detail}", unit, detail);
            try
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE maintenance.archive_rewrites SET last_error = left(@detail, 4000) WHERE id = @id", new { detail, id = rw.Id }));
            }
            catch (Exception recordEx) { _logger.LogError(recordEx, "Could not record the error of the rewrite of {Partition}", unit); }
            return new UnitResult(unit, UnitOutcome.Failed, detail);
        }
    }

    /// <summary>
    /// The open rewrite still belongs to the archive as it is: before the commit the archive is dropped and still its
    /// old blob; after it, the archive is the new blob. Otherwise the partition was restored (and maybe archived again).
    /// </summary>
    private static bool StillApplies(ArchiveRecord a, ArchiveRewrite rw) =>
        a.State == ArchiveState.Dropped &&
        a.BlobName == (rw.State == RewriteState.Committed ? rw.NewBlob : rw.OldBlob);

    /// <summary>The archive moved on under the rewrite (restored with --attach, archived again): give it up; the next run starts afresh.</summary>
    private async Task<UnitResult> AbandonAsync(NpgsqlConnection conn, ArchiveRecord a, ArchiveRewrite rw, CancellationToken ct)
    {
        if (rw.NewBlob != a.BlobName && rw.NewBlob != a.SupersededBlob && rw.State != RewriteState.Committed)
            await _store.DeleteAsync(rw.NewBlob, cancellationToken: ct);
        await Transition(conn, null, rw, rw.State, "state = 'failed', last_error = @Reason",
            new { Reason = $"abandoned: the archive is now in state '{a.State}' with blob {a.BlobName ?? "(none)"}" }, ct);
        return new UnitResult(a.PartitionName, UnitOutcome.NothingToDo,
            $"an earlier rewrite was given up: the archive changed since (state '{a.State}'); the next run looks again");
    }

    /// <summary>Opens a rewrite for every erasure up to now that is newer than the archive's watermark (null when none touches it).</summary>
    private static async Task<ArchiveRewrite?> BeginAsync(NpgsqlConnection conn, ArchiveRecord a, CancellationToken ct)
    {
        var target = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT coalesce(max(seq), 0) FROM maintenance.erasures", cancellationToken: ct));
        var touched = (await ErasedUsersAsync(conn, a, target, ct)).Count > 0;
        if (!touched) return null;
        var generation = 1 + await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT greatest(@current, coalesce(max(generation), 0)) FROM maintenance.archive_rewrites WHERE archive_id = @id
            """, new { current = a.Generation, id = a.Id }, cancellationToken: ct));
        var manifest = ArchiveManifest.FromJson(a.Manifest!);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO maintenance.archive_rewrites (archive_id, generation, target_watermark, old_blob, new_blob)
            VALUES (@id, @generation, @target, @oldBlob, @newBlob)
            ON CONFLICT DO NOTHING
            """, new
        {
            id = a.Id, generation, target, oldBlob = a.BlobName,
            newBlob = ArchiveBlobNames.Rewritten(manifest.Table, manifest.Partition, manifest.RangeFrom, generation),
        }, cancellationToken: ct));
        return await OpenRewriteAsync(conn, a.Id, ct);
    }

    /// <summary>Users erased after the archive's watermark, up to <paramref name="target"/>, that may have rows in it.</summary>
    private static async Task<HashSet<Guid>> ErasedUsersAsync(NpgsqlConnection conn, ArchiveRecord a, long target, CancellationToken ct) =>
        (await conn.QueryAsync<Guid>(new CommandDefinition("""
            SELECT e.user_id FROM maintenance.erasures e
             WHERE e.seq > @watermark AND e.seq <= @target
               AND (NOT @usersRecorded
                    OR EXISTS (SELECT 1 FROM maintenance.archived_users u WHERE u.archive_id = @id AND u.user_id = e.user_id))
            """, new { watermark = a.ErasureWatermark, target, usersRecorded = a.UsersRecorded, id = a.Id }, cancellationToken: ct))).ToHashSet();

    /// <summary>
    /// Null when the old blob can be read now; else why not yet. An Archive-tier blob gets its rehydration requested
    /// (once: while the service reports it pending, nothing is asked again) and the rewrite is recorded as waiting.
    /// </summary>
    private async Task<string?> RehydrationPendingAsync(NpgsqlConnection conn, ArchiveRewrite rw, CancellationToken ct)
    {
        var props = await _store.GetPropertiesAsync(rw.OldBlob, ct);
        if (!props.Exists) throw new InvalidOperationException($"the archive's blob {rw.OldBlob} does not exist");
        if (rw.OldTier is null)
        {
            await Execute(conn, "UPDATE maintenance.archive_rewrites SET old_tier = @tier WHERE id = @id AND old_tier IS NULL",
                new { tier = props.AccessTier, id = rw.Id }, ct);
            rw.OldTier = props.AccessTier;
        }
        if (props.AccessTier != BlobTiers.Archive) return null;
        if (props.ArchiveStatus is null)
        {
            await _store.SetAccessTierAsync(rw.OldBlob, BlobTiers.Hot, ct);
            _logger.LogInformation("Erasure rewrite: requested the rehydration of {Blob} from the Archive tier", rw.OldBlob);
        }
        if (rw.State == RewriteState.Pending)
            await Transition(conn, null, rw, RewriteState.Pending, "state = 'rehydrating'", null, ct);
        return props.ArchiveStatus is null
            ? $"{rw.OldBlob} is in the Archive tier: rehydration to Hot requested (Standard priority, up to 15 hours); a later run goes on"
            : $"{rw.OldBlob} is being rehydrated ({props.ArchiveStatus}); a later run goes on";
    }

    private sealed record Written(long OldRows, long RemovedRows, long NewRows, string NewSha256, long NewBytes, string NewMd5);

    /// <summary>Streams the old blob through the filter into the new blob; throws (committing nothing) on any mismatch.</summary>
    private async Task<Written> FilterAsync(NpgsqlConnection conn, ArchiveRecord a, ArchiveRewrite rw, CancellationToken ct)
    {
        var manifest = ArchiveManifest.FromJson(a.Manifest!);
        if (manifest.Blob != rw.OldBlob) throw new InvalidOperationException($"the manifest names {manifest.Blob}, not {rw.OldBlob}");
        var userColumn = UserColumn(manifest);
        var erased = await ErasedUsersAsync(conn, a, rw.TargetWatermark, ct);

        using var oldDigest = new CsvDigest();
        using var newDigest = new CsvDigest();
        CsvUserFilter? filter = null;
        var upload = await _store.UploadAsync(rw.NewBlob, async (destination, token) =>
        {
            await using var gzipOut = new GZipStream(destination, new ZLibCompressionOptions { CompressionLevel = GzipLevel }, leaveOpen: true);
            filter = new CsvUserFilter(userColumn, erased, (bytes, t) =>
            {
                newDigest.Append(bytes.Span);
                return gzipOut.WriteAsync(bytes, t);
            });
            await ReadCsvAsync(rw.OldBlob, oldDigest, filter, token);
            if (oldDigest.Sha256Hex != manifest.Sha256 || oldDigest.DataRows != manifest.RowCount || !oldDigest.EndedCleanly)
                throw new InvalidDataException($"{rw.OldBlob} does not match its manifest: SHA-256 {oldDigest.Sha256Hex} (manifest {manifest.Sha256}), " +
                    $"{oldDigest.DataRows} rows (manifest {manifest.RowCount}); nothing rewritten");
            if (filter.Kept + filter.Removed != manifest.RowCount || newDigest.DataRows != filter.Kept)
                throw new InvalidDataException($"kept {filter.Kept} + removed {filter.Removed} rows, wrote {newDigest.DataRows}, of {manifest.RowCount}");
        }, new BlobWrite(DataContentType), ct);
        return new Written(manifest.RowCount, filter!.Removed, filter.Kept, newDigest.Sha256Hex, upload.Size, Convert.ToBase64String(upload.ContentMd5));
    }

    /// <summary>Gunzips a blob in chunks into the digest and the filter.</summary>
    private async Task ReadCsvAsync(string blob, CsvDigest digest, CsvUserFilter filter, CancellationToken ct)
    {
        await using var source = await _store.OpenReadAsync(blob, ct);
        await using var gzipIn = new GZipStream(source, CompressionMode.Decompress);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int n;
            while ((n = await gzipIn.ReadAtLeastAsync(buffer.AsMemory(0, ChunkBytes), ChunkBytes, throwOnEndOfStream: false, ct)) > 0)
            {
                digest.Append(buffer.AsSpan(0, n));
                await filter.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            filter.Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int UserColumn(ArchiveManifest manifest)
    {
        var column = manifest.Columns.ToList().FindIndex(c => c.Name == PartitionExporter.UserIdColumn);
        return column >= 0 ? column : throw new InvalidOperationException($"{manifest.Table} has no {PartitionExporter.UserIdColumn} column");
    }

    /// <summary>
    /// Null when the new blob is what was recorded, else what differs: read back whole (it is small next to a restore),
    /// its size and Content-MD5, SHA-256 and row count as recorded, and no row of an erased user in it.
    /// </summary>
    private async Task<string?> VerifyAsync(NpgsqlConnection conn, ArchiveRecord a, ArchiveRewrite rw, CancellationToken ct)
    {
        var props = await _store.GetPropertiesAsync(rw.NewBlob, ct);
        if (!props.Exists) return $"blob {rw.NewBlob} does not exist";
        if (props.ContentLength != rw.NewBytes) return $"blob {rw.NewBlob} is {props.ContentLength} bytes; {rw.NewBytes} were uploaded";
        var md5 = props.ContentMd5 is null ? null : Convert.ToBase64String(props.ContentMd5);
        if (md5 != rw.NewMd5) return $"blob {rw.NewBlob} Content-MD5 {md5 ?? "(none)"} differs from the uploaded {rw.NewMd5}";

        var manifest = ArchiveManifest.FromJson(a.Manifest!);
        var erased = await ErasedUsersAsync(conn, a, rw.TargetWatermark, ct);
        using var digest = new CsvDigest();
        var check = new CsvUserFilter(UserColumn(manifest), erased, (_, _) => ValueTask.CompletedTask);
        try
        {
            await ReadCsvAsync(rw.NewBlob, digest, check, ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or RequestFailedException)
        {
            return $"blob {rw.NewBlob} cannot be read back: {ex.Message}";
        }
        if (digest.Sha256Hex != rw.NewSha256) return $"blob {rw.NewBlob} SHA-256 {digest.Sha256Hex} differs from the written {rw.NewSha256}";
        if (digest.DataRows != rw.NewRows || rw.NewRows != rw.OldRows - rw.RemovedRows)
            return $"blob {rw.NewBlob} holds {digest.DataRows} rows; {rw.OldRows} - {rw.RemovedRows} = {rw.OldRows - rw.RemovedRows} expected";
        if (check.Removed != 0) return $"blob {rw.NewBlob} still holds {check.Removed} rows of erased users";
        return null;
    }

    private ArchiveManifest NewManifest(ArchiveRecord a, ArchiveRewrite rw)
    {
        var old = ArchiveManifest.FromJson(a.Manifest!);
        return old with
        {
            RowCount = rw.NewRows!.Value,
            Sha256 = rw.NewSha256!,
            CompressedBytes = rw.NewBytes!.Value,
            CompressedMd5 = rw.NewMd5!,
            Blob = rw.NewBlob,
            ErasureWatermark = rw.TargetWatermark,
            Generation = rw.Generation,
            ErasedRows = old.ErasedRows + rw.RemovedRows!.Value,
            CreatedAt = _clock.GetUtcNow(),
            AppVersion = ArchiveManifest.CurrentAppVersion,
        };
    }

    /// <summary>
    /// Replaces the manifest with one naming the new blob, only if it is still the version just read (If-Match; or absent:
    /// If-None-Match), and keeps it when it already describes the new archive (written before a crash). Returns the JSON stored.
    /// </summary>
    private async Task<string> WriteManifestAsync(ArchiveRecord a, ArchiveRewrite rw, CancellationToken ct)
    {
        var manifest = NewManifest(a, rw);
        var name = a.ManifestBlobName!;
        var json = manifest.ToJson();
        var existing = await _store.GetPropertiesAsync(name, ct);
        if (existing.Exists)
        {
            string stored;
            await using (var body = await _store.OpenReadAsync(name, ct))
            using (var reader = new StreamReader(body, Encoding.UTF8))
                stored = await reader.ReadToEndAsync(ct);
            if (ArchiveManifest.DescribeSameArchive(stored, manifest)) return stored;
        }
        await _store.UploadAsync(name, (target, token) => target.WriteAsync(Encoding.UTF8.GetBytes(json), token).AsTask(),
            new BlobWrite(ManifestContentType)
            {
                Condition = existing.Exists ? BlobCondition.IfUnchanged(existing.ETag) : BlobCondition.IfNotExists,
            }, ct);
        return json;
    }

    /// <summary>
    /// One transaction: partition_archives names the new blob (only if it still names the old one), the erased users
    /// leave the archive's user set, and the rewrite says 'committed'.
    /// </summary>
    private async Task CommitAsync(ArchiveRecord a, ArchiveRewrite rw, string manifestJson, CancellationToken ct)
    {
        await using var conn = await _direct.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM maintenance.archived_users u
             USING maintenance.erasures e, maintenance.partition_archives a
             WHERE u.archive_id = @id AND a.id = @id AND e.user_id = u.user_id
               AND e.seq > a.erasure_watermark AND e.seq <= @target
            """, new { id = a.Id, target = rw.TargetWatermark }, tx, cancellationToken: ct));
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE maintenance.partition_archives
               SET blob_name = @NewBlob, row_count = @NewRows, sha256 = @NewSha256, compressed_bytes = @NewBytes,
                   compressed_md5 = @NewMd5, manifest = @manifestJson::jsonb, erasure_watermark = @TargetWatermark,
                   generation = @Generation, erased_rows = erased_rows + @RemovedRows
             WHERE id = @ArchiveId AND state = 'dropped' AND blob_name = @OldBlob
            """, new
        {
            rw.NewBlob, rw.NewRows, rw.NewSha256, rw.NewBytes, rw.NewMd5, manifestJson, rw.TargetWatermark, rw.Generation,
            rw.RemovedRows, rw.ArchiveId, rw.OldBlob,
        }, tx, cancellationToken: ct));
        if (n != 1) throw new InvalidOperationException($"archive ledger row {a.Id} no longer names {rw.OldBlob} (another run moved it)");
        await Transition(conn, tx, rw, RewriteState.Verified, "state = 'committed'", null, ct);
        await tx.CommitAsync(ct);
    }

    private async Task Hook(ErasureStep step, string partition, CancellationToken ct)
    {
        if (_hook is not null) await _hook.AfterAsync(step, partition, ct);
    }

    private static Task Execute(NpgsqlConnection conn, string sql, object args, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));

    private static async Task Transition(NpgsqlConnection conn, NpgsqlTransaction? tx, ArchiveRewrite rw, string from, string set, object? args,
        CancellationToken ct)
    {
        var p = new DynamicParameters(args);
        p.Add("rewriteId", rw.Id);
        p.Add("expectedState", from);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            $"UPDATE maintenance.archive_rewrites SET {set} WHERE id = @rewriteId AND state = @expectedState", p, tx, cancellationToken: ct));
        if (n != 1) throw new InvalidOperationException($"Rewrite {rw.Id} was not in state '{from}' any more (another run moved it).");
    }
}

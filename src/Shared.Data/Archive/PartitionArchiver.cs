using System.IO.Compression;
using System.Text;
using Azure;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Archive;

/// <summary>
/// Moves one cold partition through export → upload → verify → manifest → detach → drop, recording each
/// completed step in maintenance.partition_archives. Each call resumes from the ledger's state, so a run killed
/// between any two steps is picked up by the next run: nothing is repeated that was done (except an
/// export whose upload was never recorded, which overwrites the same blob name), and nothing is skipped.
/// Detach and drop are each one transaction together with their ledger transition, and both re-check the
/// row count against what was exported, so nothing is dropped unless its archive is verified and complete.
/// </summary>
public sealed class PartitionArchiver
{
    private readonly NpgsqlDataSource _direct;
    private readonly IBlobStore _store;
    private readonly ShortDdl _ddl;
    private readonly PartitionExporter _exporter;
    private readonly ILogger _logger;
    private readonly IArchiveStepHook? _hook;
    private readonly TimeProvider _clock;
    private int _containerReady;

    public PartitionArchiver(NpgsqlDataSource direct, IBlobStore store, ILogger? logger = null, IArchiveStepHook? hook = null,
        TimeProvider? clock = null)
    {
        Connections.DapperSetup.Configure();
        _direct = direct;
        _store = store;
        _ddl = new ShortDdl(direct);
        _exporter = new PartitionExporter(direct, store);
        _logger = logger ?? NullLogger.Instance;
        _hook = hook;
        _clock = clock ?? TimeProvider.System;
    }

    public IBlobStore Store => _store;

    /// <summary>
    /// Archives (or resumes archiving) <paramref name="p"/>. <paramref name="attached"/>: the partition is attached to its
    /// parent now with exactly these bounds (the caller read them from pg_catalog). Returns the unit's outcome.
    /// </summary>
    public async Task<UnitResult> ArchiveAsync(PartitionInfo p, bool attached, Func<bool>? outOfTime = null, bool dryRun = false,
        CancellationToken ct = default)
    {
        outOfTime ??= () => false;
        await using var conn = await _direct.OpenConnectionAsync(ct);
        var rec = await ArchiveLedger.GetAsync(conn, p.Name, ct);

        if (dryRun)
            return new UnitResult(p.Name, attached || rec is { State: not ArchiveState.Dropped } ? UnitOutcome.Done : UnitOutcome.NothingToDo,
                rec is null || rec.State == ArchiveState.Dropped
                    ? $"dry run: would archive {p.Name} [{p.From:yyyy-MM-dd}, {p.To:yyyy-MM-dd}) then detach and drop it"
                    : $"dry run: would resume the archive of {p.Name} after state '{rec.State}'");

        if (rec is null)
        {
            if (!attached) return new UnitResult(p.Name, UnitOutcome.NothingToDo, "not attached and never archived");
            rec = await ArchiveLedger.BeginAsync(conn, p, ct);
        }
        else if (rec.State == ArchiveState.Dropped)
        {
            if (!attached) return new UnitResult(p.Name, UnitOutcome.NothingToDo, "already archived and dropped");
            await ArchiveLedger.RestartCycleAsync(conn, rec, p, ct);  // restored with --attach earlier, cold again
            rec = (await ArchiveLedger.GetAsync(conn, p.Name, ct))!;
        }
        if (rec.State == ArchiveState.Failed)
            return Fail(p, $"the archive ledger marks {p.Name} 'failed' ({rec.LastError}); a human must resolve it", null);
        if (rec.RangeFrom != p.From || rec.RangeTo != p.To)
            return Fail(p, $"ledger range [{rec.RangeFrom:O}, {rec.RangeTo:O}) differs from the partition's real bounds [{p.From:O}, {p.To:O})", null);
        if (!attached && rec.State is ArchiveState.Exporting or ArchiveState.Uploaded or ArchiveState.Verified or ArchiveState.Manifested)
            return Fail(p, $"{p.Name} is not attached to {p.Table} but its archive stopped at '{rec.State}' (detached by hand?); left as is", null);

        var reexports = 0;
        try
        {
            if (Interlocked.Exchange(ref _containerReady, 1) == 0) await _store.EnsureContainerExistsAsync(ct);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (rec.State == ArchiveState.Dropped)
                    return new UnitResult(p.Name, UnitOutcome.Done,
                        $"archived {rec.RowCount} rows to {rec.BlobName} ({rec.CompressedBytes} bytes), verified, detached and dropped",
                        new Dictionary<string, object?> { ["rows"] = rec.RowCount, ["blob"] = rec.BlobName, ["bytes"] = rec.CompressedBytes });
                if (outOfTime())
                    return new UnitResult(p.Name, UnitOutcome.Deferred, $"out of time after state '{rec.State}'; the next run resumes from there");

                switch (rec.State)
                {
                    case ArchiveState.Exporting:
                        await ArchiveLedger.CountAttemptAsync(conn, rec.Id, ct);
                        var export = await _exporter.ExportAsync(p, rec.Id, ct);
                        await Hook(ArchiveStep.Uploaded, p, ct);
                        await ArchiveLedger.RecordUploadedAsync(conn, rec.Id, export, ct);
                        _logger.LogInformation("Archive {Partition}: exported {Rows} rows, {Bytes} compressed bytes to {Blob}",
                            p.Name, export.RowCount, export.CompressedBytes, export.BlobName);
                        await Hook(ArchiveStep.UploadRecorded, p, ct);
                        break;

                    case ArchiveState.Uploaded:
                        var problem = await VerifyAsync(conn, p, rec, ct);
                        if (problem is not null)
                        {
                            _logger.LogWarning("Archive {Partition}: verification failed: {Problem}", p.Name, problem);
                            if (reexports++ > 0) return await FailRecordedAsync(p, "verification failed again after a re-export: " + problem, null, conn, rec.Id);
                            await ArchiveLedger.BackToExportingAsync(conn, rec.Id, ArchiveState.Uploaded, "verification failed: " + problem, ct);
                            break;
                        }
                        await ArchiveLedger.RecordVerifiedAsync(conn, rec.Id, ct);
                        await Hook(ArchiveStep.Verified, p, ct);
                        break;

                    case ArchiveState.Verified:
                        var manifest = await BuildManifestAsync(conn, p, rec, ct);
                        var manifestBlob = ArchiveBlobNames.Manifest(p.Table, p.Name, p.From);
                        var json = await WriteManifestAsync(manifestBlob, manifest, ct);
                        await Hook(ArchiveStep.ManifestWritten, p, ct);
                        await ArchiveLedger.RecordManifestedAsync(conn, rec.Id, manifestBlob, json, ct);
                        await Hook(ArchiveStep.Manifested, p, ct);
                        break;

                    case ArchiveState.Manifested:
                        if (rec.SupersededBlob is { } superseded)
                        {
                            // An earlier cycle's blob rewritten by erasures (another name): the manifest names this
                            // cycle's blob now, so nothing refers to it. Done before the detach, so a resume repeats it.
                            await _store.DeleteAsync(superseded, cancellationToken: ct);
                            await ArchiveLedger.ClearSupersededAsync(conn, rec.Id, ct);
                        }
                        var changed = await DetachAsync(p, rec, ct);
                        if (changed is not null)
                        {
                            // Rows arrived (or went) after the export: the archive is stale. Withdraw its commit
                            // marker first, then export again; the partition stays attached meanwhile.
                            _logger.LogWarning("Archive {Partition}: {Problem}; exporting again", p.Name, changed);
                            await _store.DeleteAsync(rec.ManifestBlobName!, cancellationToken: ct);
                            await ArchiveLedger.BackToExportingAsync(conn, rec.Id, ArchiveState.Manifested, changed, ct);
                            if (reexports++ > 0) return Fail(p, changed + " (again after a re-export); the next run retries", null);
                            break;
                        }
                        await Hook(ArchiveStep.Detached, p, ct);
                        break;

                    case ArchiveState.Detached:
                        await DropDetachedAsync(p, rec, ct);
                        await Hook(ArchiveStep.Dropped, p, ct);
                        break;

                    default:
                        return Fail(p, $"unknown archive state '{rec.State}'", null);
                }
                rec = (await ArchiveLedger.GetAsync(conn, p.Name, ct))!;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return await FailRecordedAsync(p, $"archive stopped at state '{rec.State}': {ex.Message}", ex, conn, rec.Id);
        }
    }

    /// <summary>
    /// A retention 'drop' table (no archive): detach and drop in one transaction, after re-checking that the
    /// partition is still attached with the same bounds and holds nothing at or after <paramref name="cutoff"/>.
    /// </summary>
    public async Task<UnitResult> DropWithoutArchiveAsync(PartitionInfo p, DateTimeOffset cutoff, bool dryRun, CancellationToken ct)
    {
        if (dryRun)
            return new UnitResult(p.Name, UnitOutcome.Done, $"dry run: would detach and drop {p.Name} (retention 'drop', no archive)");
        try
        {
            var rows = await _ddl.RunAsync(async (c, tx, token) =>
            {
                await EnsureStillAttachedAsync(c, tx, p, token);
                await c.ExecuteAsync(new CommandDefinition($"LOCK TABLE {p.QualifiedName} IN SHARE MODE", transaction: tx, cancellationToken: token));
                var (count, newest) = await c.QuerySingleAsync<(long, DateTime?)>(new CommandDefinition(
                    $"SELECT count(*), max({PartitionedTable.Quote(p.KeyColumn)}) FROM {p.QualifiedName}", transaction: tx, cancellationToken: token));
                if (newest is { } n && PartitionCatalog.Utc(n) >= cutoff)
                    throw new InvalidOperationException($"{p.Name} holds a row at {PartitionCatalog.Utc(n):O}, not older than the cutoff {cutoff:O}");
                await ShortDdl.DetachAsync(c, tx, p.QualifiedParent, p.QualifiedName, token);
                await c.ExecuteAsync(new CommandDefinition($"DROP TABLE {p.QualifiedName}", transaction: tx, cancellationToken: token));
                return count;
            }, ct);
            _logger.LogInformation("Retention: dropped {Partition} ({Rows} rows, no archive)", p.Name, rows);
            return new UnitResult(p.Name, UnitOutcome.Done, $"detached and dropped {p.Name} ({rows} rows; retention 'drop', no archive)",
                new Dictionary<string, object?> { ["rows"] = rows });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return Fail(p, $"drop of {p.Name} failed: {ex.Message}", ex);
        }
    }

    private async Task Hook(ArchiveStep step, PartitionInfo p, CancellationToken ct)
    {
        if (_hook is not null) await _hook.AfterAsync(step, p.Name, ct);
    }

    /// <summary>
    /// Null when the blob in the store is exactly the bytes the export uploaded, else what differs. Sound without reading
    /// the blob back: the service checked every staged block against the Content-MD5 sent with it (it refuses a block
    /// whose bytes do not match), so when the committed block list is exactly that upload's blocks, each once and in
    /// order, the blob is the byte sequence the exporter hashed and sent. The blob's Content-MD5 (set by that upload's
    /// commit) ties it to the ledger row, and a ranged read of its start proves it is our gzip CSV with today's columns.
    /// Whether the partition still holds what was exported is proven at detach time, under a lock.
    /// </summary>
    private async Task<string?> VerifyAsync(NpgsqlConnection conn, PartitionInfo p, ArchiveRecord rec, CancellationToken ct)
    {
        var blob = rec.BlobName!;
        var bytes = rec.CompressedBytes!.Value;
        var props = await _store.GetPropertiesAsync(blob, ct);
        if (!props.Exists) return $"blob {blob} does not exist";
        if (props.ContentLength != bytes)
            return $"blob {blob} is {props.ContentLength} bytes; {bytes} were uploaded";
        var md5 = props.ContentMd5 is null ? null : Convert.ToBase64String(props.ContentMd5);
        if (md5 != rec.CompressedMd5)
            return $"blob {blob} Content-MD5 {md5 ?? "(none)"} differs from the uploaded {rec.CompressedMd5}";

        IReadOnlyList<BlobBlock> blocks;
        try
        {
            blocks = await _store.GetBlockListAsync(blob, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return $"blob {blob} does not exist";
        }
        if (StagedBlockIds.FindProblem(blocks, bytes) is { } problem)
            return $"blob {blob}: {problem}";

        var expected = (await PartitionCatalog.ColumnsAsync(conn, p.QualifiedParent, ct)).Select(c => c.Name).ToList();
        var header = await ReadHeaderAsync(blob, bytes, ct);
        if (!header.SequenceEqual(expected))
            return $"blob {blob} header ({string.Join(",", header)}) differs from {p.Table}'s columns ({string.Join(",", expected)})";
        return null;
    }

    /// <summary>The CSV header of the archived blob, from one ranged read of (at most) its first 64 KiB.</summary>
    private async Task<IReadOnlyList<string>> ReadHeaderAsync(string blob, long blobBytes, CancellationToken ct)
    {
        await using var raw = await _store.OpenReadAsync(blob, new HttpRange(0, Math.Min(blobBytes, HeaderRangeBytes)), ct);
        await using var gzip = new GZipStream(raw, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var line = await reader.ReadLineAsync(ct) ?? "";
        return line.Split(',').Select(h => h.Length >= 2 && h[0] == '"' ? h[1..^1].Replace("\"\"", "\"") : h).ToList();
    }

    // A header line compresses to a few hundred bytes; 64 KiB leaves room for any table we have.
    private const int HeaderRangeBytes = 64 * 1024;

    /// <summary>
    /// Writes the manifest, the archive's commit marker, only where no manifest is (If-None-Match: *). One is there when
    /// this archive wrote it before a crash, or an earlier archive of the partition did (restored, then cold again):
    /// if it describes the same archive it is kept as it is; otherwise it is replaced only if it is still the version
    /// just read (If-Match), so a marker is never overwritten unseen. Returns the JSON now in the store.
    /// </summary>
    private async Task<string> WriteManifestAsync(string manifestBlob, ArchiveManifest manifest, CancellationToken ct)
    {
        var json = manifest.ToJson();
        try
        {
            await _store.UploadAsync(manifestBlob, Utf8(json), new BlobWrite(ManifestContentType) { Condition = BlobCondition.IfNotExists }, ct);
            return json;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await _store.GetPropertiesAsync(manifestBlob, ct);
            string stored;
            await using (var body = await _store.OpenReadAsync(manifestBlob, ct))
            using (var reader = new StreamReader(body, Encoding.UTF8))
                stored = await reader.ReadToEndAsync(ct);
            if (ArchiveManifest.DescribeSameArchive(stored, manifest))
            {
                _logger.LogInformation("Archive {Partition}: manifest {Blob} already describes this archive; kept", manifest.Partition, manifestBlob);
                return stored;
            }
            _logger.LogInformation("Archive {Partition}: replacing manifest {Blob} of an earlier archive", manifest.Partition, manifestBlob);
            await _store.UploadAsync(manifestBlob, Utf8(json), new BlobWrite(ManifestContentType) { Condition = BlobCondition.IfUnchanged(existing.ETag) }, ct);
            return json;
        }
    }

    private const string ManifestContentType = "application/json";

    private static Func<Stream, CancellationToken, Task> Utf8(string text) =>
        (target, token) => target.WriteAsync(Encoding.UTF8.GetBytes(text), token).AsTask();

    private async Task<ArchiveManifest> BuildManifestAsync(NpgsqlConnection conn, PartitionInfo p, ArchiveRecord rec, CancellationToken ct)
    {
        var columns = await PartitionCatalog.ColumnsAsync(conn, p.QualifiedParent, ct);
        var orderBy = await PartitionCatalog.PrimaryKeyAsync(conn, p.QualifiedParent, ct);
        var props = await _store.GetPropertiesAsync(rec.BlobName!, ct);
        if (!props.Exists) throw new InvalidOperationException($"blob {rec.BlobName} vanished before its manifest was written");
        return new ArchiveManifest
        {
            Table = p.Table,
            Schema = p.Schema,
            Partition = p.Name,
            PartitionKey = p.KeyColumn,
            RangeFrom = p.From,
            RangeTo = p.To,
            Columns = columns,
            OrderBy = orderBy.Count > 0 ? orderBy : [p.KeyColumn],
            RowCount = rec.RowCount!.Value,
            Sha256 = rec.Sha256!,
            CompressedBytes = rec.CompressedBytes!.Value,
            CompressedMd5 = rec.CompressedMd5!,
            Blob = rec.BlobName!,
            ErasureWatermark = rec.ErasureWatermark,
            CreatedAt = _clock.GetUtcNow(),
            AppVersion = ArchiveManifest.CurrentAppVersion,
        };
    }

    /// <summary>Detach in one short transaction with the ledger move; null when done, else why the archive is stale.</summary>
    private async Task<string?> DetachAsync(PartitionInfo p, ArchiveRecord rec, CancellationToken ct)
    {
        return await _ddl.RunAsync<string?>(async (c, tx, token) =>
        {
            await EnsureStillAttachedAsync(c, tx, p, token);
            // SHARE on the partition only: no row can arrive or leave between this count and the detach,
            // while the rest of the table keeps taking writes. DETACH then takes its brief parent lock, in short tries
            // so inserts never queue behind it for long (not CONCURRENTLY: the feeds have DEFAULT partitions).
            await c.ExecuteAsync(new CommandDefinition($"{SerialCount} LOCK TABLE {p.QualifiedName} IN SHARE MODE", transaction: tx, cancellationToken: token));
            var rows = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {p.QualifiedName}", transaction: tx, cancellationToken: token));
            if (rows != rec.RowCount)
                return $"{p.Name} holds {rows} rows at detach time; {rec.RowCount} were archived";
            await ShortDdl.DetachAsync(c, tx, p.QualifiedParent, p.QualifiedName, token);
            await ArchiveLedger.RecordDetachedAsync(c, tx, rec.Id, token);
            return null;
        }, ct);
    }

    private async Task DropDetachedAsync(PartitionInfo p, ArchiveRecord rec, CancellationToken ct)
    {
        await _ddl.RunAsync(async (c, tx, token) =>
        {
            var state = await c.QuerySingleAsync<(bool Exists, bool Attached)>(new CommandDefinition("""
                SELECT to_regclass(@q) IS NOT NULL,
                       EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(@q))
                """, new { q = p.QualifiedName }, tx, cancellationToken: token));
            if (state.Attached)
                throw new InvalidOperationException($"{p.Name} is attached again; not dropping it");
            if (state.Exists)
            {
                await c.ExecuteAsync(new CommandDefinition($"{SerialCount} LOCK TABLE {p.QualifiedName} IN ACCESS EXCLUSIVE MODE", transaction: tx, cancellationToken: token));
                var rows = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {p.QualifiedName}", transaction: tx, cancellationToken: token));
                if (rows != rec.RowCount)
                    throw new InvalidOperationException($"detached {p.Name} holds {rows} rows; {rec.RowCount} were archived; not dropping it");
                await c.ExecuteAsync(new CommandDefinition($"DROP TABLE {p.QualifiedName}", transaction: tx, cancellationToken: token));
            }
            await ArchiveLedger.RecordDroppedAsync(c, tx, rec.Id, token);
        }, ct);
    }

    // The counts before detach and drop are index-only scans of one partition; parallel workers cost more to start than
    // they save on the one or two vCPUs we run on (2 M rows on a busy 2-core box, 12 runs each alternating:
    // 280–515 ms alone, 446–740 ms with two workers).
    private const string SerialCount = "SET LOCAL max_parallel_workers_per_gather = 0;";

    private static async Task EnsureStillAttachedAsync(NpgsqlConnection c, NpgsqlTransaction tx, PartitionInfo p, CancellationToken ct)
    {
        var bound = await c.QuerySingleOrDefaultAsync<(DateTime From, DateTime To)?>(new CommandDefinition("""
            SELECT b.m[1]::timestamptz, b.m[2]::timestamptz
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                  '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS m) b
             WHERE i.inhparent = @parent::regclass AND c.oid = to_regclass(@q) AND b.m IS NOT NULL
            """, new { parent = p.QualifiedParent, q = p.QualifiedName }, tx, cancellationToken: ct));
        if (bound is not { } b || PartitionCatalog.Utc(b.From) != p.From || PartitionCatalog.Utc(b.To) != p.To)
            throw new InvalidOperationException($"{p.Name} is no longer attached to {p.Table} with bounds [{p.From:O}, {p.To:O})");
    }

    private UnitResult Fail(PartitionInfo p, string detail, Exception? ex)
    {
        _logger.LogError(ex, "Partition maintenance of {Partition} failed: {Detail}", p.Name, detail);
        return new UnitResult(p.Name, UnitOutcome.Failed, detail);
    }

    /// <summary>Fails the unit and leaves the reason in the ledger row (the state stays where it was: the next run resumes).</summary>
    private async Task<UnitResult> FailRecordedAsync(PartitionInfo p, string detail, Exception? ex, NpgsqlConnection conn, long id)
    {
        try { await ArchiveLedger.RecordErrorAsync(conn, id, detail, CancellationToken.None); }
        catch (Exception recordEx) { _logger.LogError(recordEx, "Could not record the error of {Partition} in the ledger", p.Name); }
        return Fail(p, detail, ex);
    }
}

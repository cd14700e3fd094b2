using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Archive;

/// <summary>A restore that could not be done (or was refused); the message says why and what to do.</summary>
public sealed class ArchiveRestoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <param name="Rows">Rows restored (the archive's rows less <paramref name="ErasedRows"/>).</param>
/// <param name="ErasedRows">Rows of users erased after the archive was written, left out.</param>
public sealed record RestoreResult(string Partition, string Target, bool Attached, long Rows, string Sha256, ArchiveManifest Manifest, string? Note,
    long ErasedRows = 0);

/// <summary>
/// Brings an archived partition back: streams the blob (gunzip) into a new table of the parent's shape with
/// COPY FROM STDIN, verifying the SHA-256 and row count against the manifest as the bytes pass, then either
/// attaches it as the partition again (original bounds) or leaves it as a named side table. Rows of users erased
/// after the archive was written (maintenance.erasures past the manifest's erasure watermark) are deleted before the
/// attach, so an erased user never comes back and the foreign keys to users hold. All in one transaction: a mismatch
/// or a failed attach leaves nothing behind.
/// </summary>
public sealed partial class ArchiveRestorer
{
    private readonly NpgsqlDataSource _direct;
    private readonly IBlobStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    public ArchiveRestorer(NpgsqlDataSource direct, IBlobStore store, ILogger? logger = null, TimeProvider? clock = null)
    {
        Connections.DapperSetup.Configure();
        _direct = direct;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _clock = clock ?? TimeProvider.System;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex PlainIdentifier();

    [GeneratedRegex("^(?<table>[a-z_][a-z0-9_]*)_p(?<y>[0-9]{4})(?<m>[0-9]{2})$")]
    private static partial Regex MonthlyPartitionName();

    /// <summary>The manifest of an archived partition: the ledger's manifest blob, else the conventional name.</summary>
    public async Task<ArchiveManifest> ReadManifestAsync(string partition, CancellationToken ct)
    {
        string? manifestBlob;
        await using (var conn = await _direct.OpenConnectionAsync(ct))
            manifestBlob = (await ArchiveLedger.GetAsync(conn, partition, ct))?.ManifestBlobName;
        if (manifestBlob is null)
        {
            var m = MonthlyPartitionName().Match(partition);
            if (!m.Success) throw new ArchiveRestoreException($"No archive of '{partition}' in the ledger, and it is not a <table>_pYYYYMM name.");
            var from = new DateTimeOffset(int.Parse(m.Groups["y"].Value), int.Parse(m.Groups["m"].Value), 1, 0, 0, 0, TimeSpan.Zero);
            manifestBlob = ArchiveBlobNames.Manifest(m.Groups["table"].Value, partition, from);
        }
        try
        {
            await using var stream = await _store.OpenReadAsync(manifestBlob, ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return ArchiveManifest.FromJson(await reader.ReadToEndAsync(ct));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ArchiveRestoreException($"No manifest {manifestBlob} in container {_store.ContainerName}: '{partition}' has no complete archive.", ex);
        }
    }

    /// <param name="partition">The archived partition's name.</param>
    /// <param name="attach">Attach the restored table as the partition again (named as the partition).</param>
    /// <param name="intoTable">Otherwise: the side table to create in the parent's schema.</param>
    public async Task<RestoreResult> RestoreAsync(string partition, bool attach, string? intoTable, CancellationToken ct)
    {
        if (attach == (intoTable is not null))
            throw new ArgumentException("Give exactly one of attach or intoTable.");
        if (intoTable is not null && !PlainIdentifier().IsMatch(intoTable))
            throw new ArchiveRestoreException($"'{intoTable}' is not a plain lower-case table name.");

        var manifest = await ReadManifestAsync(partition, ct);
        if (manifest.Format != ArchiveManifest.CsvGzipFormat)
            throw new ArchiveRestoreException($"Unsupported archive format '{manifest.Format}'.");
        var target = attach ? manifest.Partition : intoTable!;
        var qTarget = $"{PartitionedTable.Quote(manifest.Schema)}.{PartitionedTable.Quote(target)}";
        var qParent = $"{PartitionedTable.Quote(manifest.Schema)}.{PartitionedTable.Quote(manifest.Table)}";

        // Attaching changes the live table: never at the same time as a PartitionMaintenance run.
        await using var lockConn = attach ? await _direct.OpenConnectionAsync(ct) : null;
        if (lockConn is not null && !await MaintenanceLock.TryAcquireAsync(lockConn, ct))
            throw new ArchiveRestoreException("PartitionMaintenance is running right now; try again when it has finished.");
        try
        {
            await using var conn = await _direct.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition(
                "SET LOCAL lock_timeout = '5s'; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'", transaction: tx, cancellationToken: ct));
            if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT to_regclass(@q) IS NOT NULL", new { q = qTarget }, tx, cancellationToken: ct)))
                throw new ArchiveRestoreException($"Table {manifest.Schema}.{target} already exists; nothing restored.");
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT to_regclass(@q) IS NOT NULL", new { q = qParent }, tx, cancellationToken: ct)))
                throw new ArchiveRestoreException($"Parent table {manifest.Schema}.{manifest.Table} does not exist.");

            var current = await PartitionCatalog.ColumnsAsync(conn, qParent, ct);
            var missing = manifest.Columns.Where(c => !current.Contains(c)).ToList();
            if (missing.Count > 0)
                throw new ArchiveRestoreException($"{manifest.Table} changed shape since the archive: no column " +
                    string.Join(", ", missing.Select(c => $"{c.Name} {c.Type}")) + ".");

            await conn.ExecuteAsync(new CommandDefinition(
                $"CREATE TABLE {qTarget} (LIKE {qParent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)",
                transaction: tx, cancellationToken: ct));

            var columnList = string.Join(", ", manifest.Columns.Select(c => PartitionedTable.Quote(c.Name)));
            using var digest = new CsvDigest();
            await using (var blob = await _store.OpenReadAsync(manifest.Blob, ct))
            await using (var gzip = new GZipStream(blob, CompressionMode.Decompress))
            {
                // Text-format COPY goes through Npgsql as characters: decode the archived UTF-8 as it streams.
                var copy = (NpgsqlCopyTextWriter)await conn.BeginTextImportAsync(
                    $"COPY {qTarget} ({columnList}) FROM STDIN WITH (FORMAT csv, HEADER MATCH)", ct);
                var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
                var bytes = ArrayPool<byte>.Shared.Rent(128 * 1024);
                var chars = ArrayPool<char>.Shared.Rent(128 * 1024 + 4);
                var completed = false;
                try
                {
                    int n;
                    while ((n = await gzip.ReadAsync(bytes.AsMemory(0, 128 * 1024), ct)) > 0)
                    {
                        digest.Append(bytes.AsSpan(0, n));
                        var count = decoder.GetChars(bytes, 0, n, chars, 0, flush: false);
                        await copy.WriteAsync(chars.AsMemory(0, count), ct);
                    }
                    var tail = decoder.GetChars(bytes, 0, 0, chars, 0, flush: true);
                    await copy.WriteAsync(chars.AsMemory(0, tail), ct);
                    if (digest.Sha256Hex != manifest.Sha256 || digest.DataRows != manifest.RowCount || !digest.EndedCleanly)
                        throw new ArchiveRestoreException($"Archive {manifest.Blob} does not match its manifest: SHA-256 {digest.Sha256Hex} " +
                            $"(manifest {manifest.Sha256}), {digest.DataRows} rows (manifest {manifest.RowCount}); nothing restored.");
                    await copy.DisposeAsync();  // completes the COPY
                    completed = true;
                }
                finally
                {
                    if (!completed)
                    {
                        try { await copy.CancelAsync(); }
                        catch (Exception cancelEx) when (cancelEx is ObjectDisposedException or NpgsqlException or InvalidOperationException) { }
                    }
                    ArrayPool<byte>.Shared.Return(bytes);
                    ArrayPool<char>.Shared.Return(chars);
                }
            }

            var loaded = await conn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {qTarget}", transaction: tx, cancellationToken: ct));
            if (loaded != manifest.RowCount)
                throw new ArchiveRestoreException($"Loaded {loaded} rows but the manifest says {manifest.RowCount}; nothing restored.");

            // Erased users never come back: their rows go before the table is attached or handed out.
            long erased = 0;
            if (manifest.Columns.Any(c => c.Name == PartitionExporter.UserIdColumn))
                erased = await conn.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM {qTarget} t USING maintenance.erasures e WHERE t.user_id = e.user_id AND e.seq > @watermark",
                    new { watermark = manifest.ErasureWatermark }, tx, cancellationToken: ct));
            loaded -= erased;

            if (attach)
            {
                var from = Literal(manifest.RangeFrom);
                var to = Literal(manifest.RangeTo);
                try
                {
                    await conn.ExecuteAsync(new CommandDefinition(
                        $"ALTER TABLE {qParent} ATTACH PARTITION {qTarget} FOR VALUES FROM ('{from}') TO ('{to}')", transaction: tx, cancellationToken: ct));
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
                {
                    throw new ArchiveRestoreException($"Cannot attach {target}: some rows reference rows that no longer exist " +
                        $"({ex.MessageText}; e.g. users purged since the archive). Restore it as a side table with --into <table> instead.", ex);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.CheckViolation or PostgresErrorCodes.InvalidObjectDefinition)
                {
                    throw new ArchiveRestoreException($"Cannot attach {target} for [{from}, {to}): {ex.MessageText}. " +
                        "Restore it as a side table with --into <table> instead.", ex);
                }
            }
            await tx.CommitAsync(ct);
            _logger.LogInformation("Restored {Partition} into {Target} ({Rows} rows, {Erased} of erased users left out, attached: {Attached})",
                partition, target, loaded, erased, attach);
            return new RestoreResult(partition, $"{manifest.Schema}.{target}", attach, loaded, digest.Sha256Hex, manifest,
                attach ? await RetentionNoteAsync(conn, manifest, ct) : null, erased);
        }
        finally
        {
            if (lockConn is not null) await MaintenanceLock.ReleaseAsync(lockConn);
        }
    }

    private async Task<string?> RetentionNoteAsync(NpgsqlConnection conn, ArchiveManifest manifest, CancellationToken ct)
    {
        var hot = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT hot_months FROM maintenance.table_settings WHERE table_name = @t AND enabled", new { t = manifest.Table }, cancellationToken: ct));
        if (hot is not { } h) return null;
        var cutoff = PartitionCatalog.MonthStart(_clock.GetUtcNow()).AddMonths(-h);
        return manifest.RangeTo <= cutoff
            ? $"{manifest.Partition} is older than {manifest.Table}'s hot retention ({h} months): the next PartitionMaintenance run archives and drops it again unless hot_months is raised."
            : null;
    }

    private static string Literal(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";
}

using Dapper;
using Npgsql;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Archive;

/// <summary>The states of maintenance.partition_archives, in order: each is the last step that completed.</summary>
public static class ArchiveState
{
    public const string Exporting = "exporting";
    public const string Uploaded = "uploaded";
    public const string Verified = "verified";
    public const string Manifested = "manifested";
    public const string Detached = "detached";
    public const string Dropped = "dropped";
    public const string Failed = "failed";
}

/// <summary>One row of maintenance.partition_archives.</summary>
public sealed class ArchiveRecord
{
    public long Id { get; set; }
    public string TableName { get; set; } = "";
    public string PartitionName { get; set; } = "";
    public DateTimeOffset RangeFrom { get; set; }
    public DateTimeOffset RangeTo { get; set; }
    public string State { get; set; } = "";
    public string? BlobName { get; set; }
    public string? ManifestBlobName { get; set; }
    public long? RowCount { get; set; }
    public string? Sha256 { get; set; }
    public long? CompressedBytes { get; set; }
    public string? CompressedMd5 { get; set; }
    public string? Manifest { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The highest maintenance.erasures seq the blob reflects (no rows of users erased up to it).</summary>
    public long ErasureWatermark { get; set; }
    /// <summary>How many times erasures rewrote the blob (0: the export's own blob).</summary>
    public int Generation { get; set; }
    /// <summary>Rows removed from the archive by erasures, over all rewrites.</summary>
    public long ErasedRows { get; set; }
    /// <summary>maintenance.archived_users holds every user with rows in this archive (false for archives made before 0019).</summary>
    public bool UsersRecorded { get; set; }
    /// <summary>A rewritten blob of an earlier cycle, deleted once this cycle's manifest is written.</summary>
    public string? SupersededBlob { get; set; }
}

/// <summary>
/// Reads and moves the archive state machine. Every transition names the state it expects to leave
/// (<c>WHERE state = @from</c>), so a transition that lost a race changes nothing and throws.
/// The owner (direct endpoint) writes it, so a transition can share a transaction with the DDL it records.
/// </summary>
public static class ArchiveLedger
{
    private const string Columns = """
        id, table_name, partition_name, range_from, range_to, state, blob_name, manifest_blob_name, row_count,
        sha256, compressed_bytes, compressed_md5, manifest::text AS manifest, attempts, last_error, updated_at,
        erasure_watermark, generation, erased_rows, users_recorded, superseded_blob
        """;

    public static Task<ArchiveRecord?> GetAsync(NpgsqlConnection conn, string partition, CancellationToken ct, NpgsqlTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<ArchiveRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM maintenance.partition_archives WHERE partition_name = @partition", new { partition }, tx, cancellationToken: ct));

    /// <summary>Rows of <paramref name="table"/> (or all) in range order.</summary>
    public static async Task<IReadOnlyList<ArchiveRecord>> ListAsync(NpgsqlConnection conn, string? table, bool openOnly, CancellationToken ct) =>
        (await conn.QueryAsync<ArchiveRecord>(new CommandDefinition($"""
            SELECT {Columns} FROM maintenance.partition_archives
             WHERE (@table::text IS NULL OR table_name = @table)
               AND (NOT @openOnly OR state NOT IN ('dropped', 'failed'))
             ORDER BY table_name, range_from
            """, new { table, openOnly }, cancellationToken: ct))).ToList();

    /// <summary>Creates the row in 'exporting' if the partition has none; returns the row either way.</summary>
    public static async Task<ArchiveRecord> BeginAsync(NpgsqlConnection conn, PartitionInfo p, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO maintenance.partition_archives (table_name, partition_name, range_from, range_to)
            VALUES (@Table, @Name, @From, @To)
            ON CONFLICT (partition_name) DO NOTHING
            """, new { p.Table, p.Name, From = p.From.UtcDateTime, To = p.To.UtcDateTime }, cancellationToken: ct));
        return (await GetAsync(conn, p.Name, ct))!;
    }

    /// <summary>
    /// A partition archived and dropped earlier is attached again (restored with --attach) and cold again:
    /// a new cycle starts in 'exporting' (the same blob names are overwritten). A blob that erasures rewrote
    /// (another name) is remembered as superseded, so the new cycle deletes it once its own manifest is written.
    /// The erasure fields start again: the new export records its own watermark and user set.
    /// </summary>
    public static Task RestartCycleAsync(NpgsqlConnection conn, ArchiveRecord r, PartitionInfo p, CancellationToken ct) =>
        Transition(conn, null, r.Id, ArchiveState.Dropped, """
            state = 'exporting', range_from = @rangeFrom, range_to = @rangeTo,
            superseded_blob = coalesce(superseded_blob, NULLIF(blob_name, @dataBlob)), blob_name = NULL, manifest_blob_name = NULL,
            row_count = NULL, sha256 = NULL, compressed_bytes = NULL, compressed_md5 = NULL, manifest = NULL,
            attempts = 0, last_error = NULL, erasure_watermark = 0, generation = 0, erased_rows = 0, users_recorded = false
            """, new { rangeFrom = p.From.UtcDateTime, rangeTo = p.To.UtcDateTime, dataBlob = ArchiveBlobNames.Data(p.Table, p.Name, p.From) }, ct);

    /// <summary>The superseded blob of an earlier cycle is gone (deleted, or never there).</summary>
    public static Task ClearSupersededAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance.partition_archives SET superseded_blob = NULL WHERE id = @id", new { id }, cancellationToken: ct));

    public static Task CountAttemptAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance.partition_archives SET attempts = attempts + 1 WHERE id = @id", new { id }, cancellationToken: ct));

    public static Task RecordErrorAsync(NpgsqlConnection conn, long id, string error, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance.partition_archives SET last_error = left(@error, 4000) WHERE id = @id", new { id, error }, cancellationToken: ct));

    public static Task RecordUploadedAsync(NpgsqlConnection conn, long id, ExportResult e, CancellationToken ct) =>
        Transition(conn, null, id, ArchiveState.Exporting, """
            state = 'uploaded', blob_name = @BlobName, row_count = @RowCount, sha256 = @Sha256,
            compressed_bytes = @CompressedBytes, compressed_md5 = @CompressedMd5, last_error = NULL,
            erasure_watermark = @ErasureWatermark, users_recorded = @UsersRecorded
            """, new { e.BlobName, e.RowCount, e.Sha256, e.CompressedBytes, e.CompressedMd5, e.ErasureWatermark, e.UsersRecorded }, ct);

    public static Task RecordVerifiedAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        Transition(conn, null, id, ArchiveState.Uploaded, "state = 'verified', last_error = NULL", null, ct);

    public static Task RecordManifestedAsync(NpgsqlConnection conn, long id, string manifestBlob, string manifestJson, CancellationToken ct) =>
        Transition(conn, null, id, ArchiveState.Verified,
            "state = 'manifested', manifest_blob_name = @manifestBlob, manifest = @manifestJson::jsonb",
            new { manifestBlob, manifestJson }, ct);

    public static Task RecordDetachedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        Transition(conn, tx, id, ArchiveState.Manifested, "state = 'detached'", null, ct);

    public static Task RecordDroppedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        Transition(conn, tx, id, ArchiveState.Detached, "state = 'dropped'", null, ct);

    /// <summary>The archive no longer matches the source (rows changed, blob differs): export again.</summary>
    public static Task BackToExportingAsync(NpgsqlConnection conn, long id, string fromState, string reason, CancellationToken ct) =>
        Transition(conn, null, id, fromState, """
            state = 'exporting', manifest_blob_name = NULL, manifest = NULL, last_error = left(@reason, 4000)
            """, new { reason }, ct);

    private static async Task Transition(NpgsqlConnection conn, NpgsqlTransaction? tx, long id, string from, string set, object? args, CancellationToken ct)
    {
        var p = new DynamicParameters(args);
        p.Add("id", id);
        p.Add("expectedState", from);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            $"UPDATE maintenance.partition_archives SET {set} WHERE id = @id AND state = @expectedState", p, tx, cancellationToken: ct));
        if (n != 1)
            throw new InvalidOperationException($"Archive ledger row {id} was not in state '{from}' any more (another run moved it).");
    }
}

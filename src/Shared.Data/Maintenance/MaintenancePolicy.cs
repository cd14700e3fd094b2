using Dapper;
using Npgsql;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Maintenance;

/// <summary>A cache partitioned by expiry (0009): bucket width and the longest TTL a row may have.</summary>
public sealed record ExpiryPartitionedTable(string Table, TimeSpan Bucket, TimeSpan MaxTtl);

/// <summary>
/// What the maintenance jobs will do, per table, as they would read it now: the monthly-partitioned tables with their
/// partition policy (PartitionMaintenance), the row-level retention periods (RetentionPurge, CacheExpiry), the
/// expiry-partitioned caches, and maintenance.table_settings rows that no job reads (a typo, a dropped table).
/// Read with the same queries the jobs use, so what it shows is what they do. `Functions.Timers policy` prints it.
/// </summary>
public sealed record MaintenancePolicy(
    IReadOnlyList<PartitionedTable> Partitioned,
    IReadOnlyList<RowRetentionPolicy> RowRetention,
    IReadOnlyList<ExpiryPartitionedTable> ExpiryPartitioned,
    IReadOnlyList<string> UnusedSettings)
{
    public static async Task<MaintenancePolicy> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var partitioned = await PartitionCatalog.ListTablesAsync(conn, ct);
        var rows = await Maintenance.RowRetention.ReadAsync(conn, ct);
        var expiry = (await conn.QueryAsync<(string Table, TimeSpan Bucket, TimeSpan MaxTtl)>(new CommandDefinition(
                "SELECT table_name, bucket, max_ttl FROM maintenance.expiry_partitioned_tables ORDER BY table_name", cancellationToken: ct)))
            .Select(e => new ExpiryPartitionedTable(e.Table, e.Bucket, e.MaxTtl)).ToList();
        var all = await conn.QueryAsync<string>(new CommandDefinition("SELECT table_name FROM maintenance.table_settings ORDER BY 1", cancellationToken: ct));
        var read = partitioned.Select(t => t.Name).Concat(rows.Keys).ToHashSet(StringComparer.Ordinal);
        return new MaintenancePolicy(partitioned, Maintenance.RowRetention.Rules.Select(r => rows[r.Table]).ToList(), expiry,
            all.Where(t => !read.Contains(t)).ToList());
    }
}

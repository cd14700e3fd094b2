using Dapper;
using Npgsql;

namespace TravelFunctions.Data.Partitions;

/// <summary>A table range-partitioned by month on one timestamptz column, with its maintenance settings.</summary>
public sealed record PartitionedTable(
    string Schema,
    string Name,
    string KeyColumn,
    int PremakeMonths,
    int? HotMonths,
    string? RetentionAction,
    bool Enabled,
    string? DefaultPartition)
{
    public string QualifiedName => $"{Quote(Schema)}.{Quote(Name)}";
    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}

/// <summary>One attached (or, for the ledger, formerly attached) range partition and its real bounds.</summary>
public sealed record PartitionInfo(string Schema, string Table, string Name, string KeyColumn, DateTimeOffset From, DateTimeOffset To)
{
    public string QualifiedName => $"{PartitionedTable.Quote(Schema)}.{PartitionedTable.Quote(Name)}";
    public string QualifiedParent => $"{PartitionedTable.Quote(Schema)}.{PartitionedTable.Quote(Table)}";
}

/// <summary>A column as exported: name and Postgres type (format_type).</summary>
public sealed record ColumnInfo(string Name, string Type);

/// <summary>
/// Reads partitioning facts from pg_catalog: never derives bounds from names or intervals, always from
/// pg_get_expr(relpartbound). Bounds are parsed back to timestamptz by the server itself.
/// </summary>
public static class PartitionCatalog
{
    public const int DefaultPremakeMonths = 3;

    public static async Task<IReadOnlyList<PartitionedTable>> ListTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(string Schema, string Name, string Key, int? Premake, int? Hot, string? Action, bool? Enabled, string? Def)>(
            new CommandDefinition("""
                SELECT n.nspname, c.relname, a.attname::text, s.premake_months, s.hot_months, s.retention_action, s.enabled,
                       CASE WHEN p.partdefid <> 0 THEN (SELECT d.relname FROM pg_class d WHERE d.oid = p.partdefid)::text END
                  FROM pg_partitioned_table p
                  JOIN pg_class c ON c.oid = p.partrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                  LEFT JOIN maintenance.table_settings s ON s.table_name = c.relname
                 WHERE n.nspname = 'public' AND p.partstrat = 'r' AND p.partnatts = 1
                   AND a.atttypid = 'timestamptz'::regtype
                   AND NOT c.relispartition
                   -- Partitioned by expiry time, not by month: CacheExpiry keeps those (0009).
                   AND NOT EXISTS (SELECT 1 FROM maintenance.expiry_partitioned_tables e WHERE e.table_name = c.relname)
                 ORDER BY c.relname
                """, cancellationToken: ct));
        return rows.Select(r => new PartitionedTable(r.Schema, r.Name, r.Key, r.Premake ?? DefaultPremakeMonths, r.Hot, r.Action,
            r.Enabled ?? true, r.Def)).ToList();
    }

    /// <summary>Attached partitions with a FROM (x) TO (y) bound (the DEFAULT partition and MINVALUE/MAXVALUE bounds excluded).</summary>
    public static async Task<IReadOnlyList<PartitionInfo>> ListPartitionsAsync(NpgsqlConnection conn, PartitionedTable table, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(string Name, DateTime From, DateTime To)>(new CommandDefinition("""
            SELECT c.relname::text, b.m[1]::timestamptz, b.m[2]::timestamptz
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                  '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS m) b
             WHERE i.inhparent = @parent::regclass AND b.m IS NOT NULL
             ORDER BY 2
            """, new { parent = table.QualifiedName }, cancellationToken: ct));
        return rows.Select(r => new PartitionInfo(table.Schema, table.Name, r.Name, table.KeyColumn, Utc(r.From), Utc(r.To))).ToList();
    }

    /// <summary>The partition's bounds if it is attached to <paramref name="table"/> now, else null.</summary>
    public static async Task<PartitionInfo?> FindAttachedAsync(NpgsqlConnection conn, PartitionedTable table, string partition, CancellationToken ct) =>
        (await ListPartitionsAsync(conn, table, ct)).FirstOrDefault(p => p.Name == partition);

    public static async Task<bool> TableExistsAsync(NpgsqlConnection conn, string schema, string name, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@q) IS NOT NULL", new { q = $"{PartitionedTable.Quote(schema)}.{PartitionedTable.Quote(name)}" }, cancellationToken: ct));

    /// <summary>Columns of the parent in order (generated columns left out: they are recomputed on restore).</summary>
    public static async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(NpgsqlConnection conn, string qualifiedParent, CancellationToken ct) =>
        (await conn.QueryAsync<(string Name, string Type)>(new CommandDefinition("""
            SELECT attname::text, format_type(atttypid, atttypmod)
              FROM pg_attribute
             WHERE attrelid = @t::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
             ORDER BY attnum
            """, new { t = qualifiedParent }, cancellationToken: ct))).Select(r => new ColumnInfo(r.Name, r.Type)).ToList();

    /// <summary>Primary-key columns of the parent in key order (the export's ORDER BY), or empty.</summary>
    public static async Task<IReadOnlyList<string>> PrimaryKeyAsync(NpgsqlConnection conn, string qualifiedParent, CancellationToken ct) =>
        (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT a.attname::text
              FROM pg_index x
              CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             WHERE x.indrelid = @t::regclass AND x.indisprimary
             ORDER BY k.ord
            """, new { t = qualifiedParent }, cancellationToken: ct))).ToList();

    public static DateTimeOffset Utc(DateTime value) =>
        new(DateTime.SpecifyKind(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value, DateTimeKind.Utc));

    /// <summary>First instant (UTC) of the month containing <paramref name="instant"/>.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset instant)
    {
        var u = instant.ToUniversalTime();
        return new DateTimeOffset(u.Year, u.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}

using Dapper;
using Npgsql;

namespace TravelFunctions.Data.Maintenance;

/// <summary>A table whose rows a job deletes (or clears) some days after a timestamp, and its built-in period.</summary>
public sealed record RowRetentionRule(string Table, string Job, int DefaultDays, string Meaning);

/// <summary>The period in force for a table: from its maintenance.table_settings row, or the built-in default when it has none.</summary>
public sealed record RowRetentionPolicy(string Table, string Job, int Days, bool Enabled, bool FromTableSettings, string Meaning)
{
    public TimeSpan Period => TimeSpan.FromDays(Days);
}

/// <summary>
/// Row-level retention periods, per table, in maintenance.table_settings.retention_days (0015), like pg_partman's
/// part_config: an UPDATE changes what the next run deletes, without a deploy. Each job reads them at the start of a
/// run (one SELECT, as travel_maintenance through the pooler). A table with no row (or a NULL period) keeps the
/// built-in default below, the value that was a constant before; enabled = false stops that table's purge.
/// </summary>
public static class RowRetention
{
    public static readonly IReadOnlyList<RowRetentionRule> Rules =
    [
        new("users", "RetentionPurge", 30, "users soft-deleted longer ago are deleted with everything they own (FK cascades; GDPR: at most 30)"),
        new("refresh_sessions", "RetentionPurge", 30, "sessions revoked longer ago are deleted (kept for refresh-token reuse detection: keep >= Jwt__RefreshTokenDays); expired ones go at once"),
        new("job_runs", "RetentionPurge", 90, "job ledger rows (maintenance.job_runs) started longer ago are deleted"),
        new("attraction_reviews", "CacheExpiry", 30, "reviews cached longer ago are deleted"),
        new("attractions", "CacheExpiry", 7, "provider data (external_data) cached longer ago is cleared; the attraction stays"),
    ];

    public const string DisabledDetail = "retention disabled in maintenance.table_settings";

    /// <summary>
    /// The periods for one job run: read once, on first use (a unit that needs none never waits on it); a failed read
    /// fails each unit that asks, and only those.
    /// </summary>
    public sealed class PerRun(NpgsqlDataSource source, CancellationToken ct)
    {
        private readonly Lazy<Task<IReadOnlyDictionary<string, RowRetentionPolicy>>> _policies = new(() => ReadAsync(source, ct));

        /// <summary>now minus the table's period; null when its retention is switched off (the unit does nothing).</summary>
        public async Task<DateTimeOffset?> CutoffAsync(string table, DateTimeOffset now)
        {
            var policy = (await _policies.Value)[table];
            return policy.Enabled ? now - policy.Period : null;
        }
    }

    /// <summary>The built-in period of a table listed in <see cref="Rules"/>.</summary>
    public static int DefaultDays(string table) => Rules.Single(r => r.Table == table).DefaultDays;

    public static async Task<IReadOnlyDictionary<string, RowRetentionPolicy>> ReadAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var conn = await source.OpenConnectionAsync(ct);
        return await ReadAsync(conn, ct);
    }

    public static async Task<IReadOnlyDictionary<string, RowRetentionPolicy>> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<(string Table, int? Days, bool Enabled)>(new CommandDefinition(
                "SELECT table_name, retention_days, enabled FROM maintenance.table_settings WHERE table_name = ANY(@tables)",
                new { tables = Rules.Select(r => r.Table).ToArray() }, cancellationToken: ct)))
            .ToDictionary(r => r.Table);
        return Rules.ToDictionary(r => r.Table, r => rows.TryGetValue(r.Table, out var row) && row.Days is { } days
            ? new RowRetentionPolicy(r.Table, r.Job, days, row.Enabled, true, r.Meaning)
            : new RowRetentionPolicy(r.Table, r.Job, r.DefaultDays, !rows.TryGetValue(r.Table, out var bare) || bare.Enabled, false, r.Meaning));
    }
}

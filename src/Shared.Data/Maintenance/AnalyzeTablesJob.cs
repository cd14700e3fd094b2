using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// ANALYZE where autovacuum does not: every partitioned parent (autovacuum never analyzes those, and the
/// planner then estimates from nothing), and every plain table whose modifications since its last
/// analyze reach max(Maintenance__AnalyzeMinModifications, Maintenance__AnalyzeModifiedPercent % of live rows) in
/// pg_stat_user_tables (<see cref="MaintenanceOptions"/>; defaults 1000 and 10 %). Leaf partitions are covered by their parent's ANALYZE (which recurses).
/// ANALYZE by a non-owner only warns and skips, so this runs as travel_owner on the direct endpoint,
/// one short transaction per table with a short lock_timeout and the unit's advisory lock.
/// </summary>
public sealed class AnalyzeTablesJob(TravelDataSources sources, IOptions<MaintenanceOptions> settings) : IMaintenanceJob
{
    public const string LockTimeout = "5s";
    // Read at each run, not here: listing the jobs (the catalog, `run`'s job list, --help) must not need valid settings.
    private MaintenanceOptions Options => settings.Value;

    public string Name => "AnalyzeTables";
    public string DefaultSchedule => "0 45 3 * * *";

    internal sealed record Candidate(string Name, bool Partitioned, long Modifications, long LiveRows, DateTime? LastAnalyzed)
    {
        /// <summary>Set from the settings once read (Dapper fills the rest).</summary>
        public long Threshold { get; init; }
        public bool Due => Partitioned || Modifications >= Threshold;
        public string Reason => Partitioned
            ? "partitioned parent (autovacuum never analyzes it)"
            : $"{Modifications} modifications since last analyze >= threshold {Threshold} ({LiveRows} live rows)";
    }

    // Tables this role owns (ANALYZE of others' tables is skipped by PostgreSQL), outside system schemas.
    private const string CandidatesSql = """
        SELECT format('%I.%I', n.nspname, c.relname) AS name,
               c.relkind = 'p' AS partitioned,
               coalesce(s.n_mod_since_analyze, 0) AS modifications,
               coalesce(s.n_live_tup, 0) AS liverows,
               greatest(s.last_analyze, s.last_autoanalyze) AS lastanalyzed
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
         WHERE c.relkind IN ('r', 'p')
           AND NOT c.relispartition
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_'
           AND pg_has_role(c.relowner, 'USAGE')
         ORDER BY c.relkind = 'p' DESC, coalesce(s.n_mod_since_analyze, 0) DESC, 1
        """;

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        List<Candidate> due;
        int checkedCount;
        try
        {
            await using var conn = await sources.Direct.OpenConnectionAsync(ctx.CancellationToken);
            var all = (await conn.QueryAsync<Candidate>(new CommandDefinition(CandidatesSql, cancellationToken: ctx.CancellationToken)))
                .Select(c => c with { Threshold = Options.AnalyzeThreshold(c.LiveRows) }).ToList();
            checkedCount = all.Count;
            due = all.Where(c => c.Due).ToList();
        }
        catch (Exception ex) when (!ctx.CancellationToken.IsCancellationRequested)
        {
            return [new UnitResult("pg_stat_user_tables", UnitOutcome.Failed, "could not list tables: " + JobUnit.Describe(ex))];
        }
        ctx.Logger.LogInformation("AnalyzeTables: {Checked} tables checked, {Due} to analyze", checkedCount, due.Count);

        var results = new List<UnitResult>();
        foreach (var table in due)
            results.Add(await JobUnit.RunAsync(ctx, table.Name, ct => AnalyzeAsync(ctx, table, ct)));
        return results;
    }

    private async Task<UnitResult> AnalyzeAsync(JobContext ctx, Candidate table, CancellationToken ct)
    {
        var data = new Dictionary<string, object?>
        {
            ["partitioned"] = table.Partitioned, ["modifications"] = table.Modifications, ["live_rows"] = table.LiveRows,
            ["threshold"] = table.Partitioned ? null : table.Threshold,
        };
        if (ctx.DryRun) return new(table.Name, UnitOutcome.Done, "dry run: would ANALYZE: " + table.Reason, data);
        var timeoutMs = (int)Math.Clamp(ctx.Remaining.TotalMilliseconds, 1000, int.MaxValue);
        var (locked, _) = await JobUnit.LockedTransactionAsync(sources.Direct, JobLocks.Key(ctx.JobName, table.Name), async (conn, tx) =>
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "SELECT set_config('lock_timeout', @lockTimeout, true), set_config('statement_timeout', @ms, true)",
                new { lockTimeout = LockTimeout, ms = timeoutMs.ToString() }, tx, cancellationToken: ct));
            // table.Name comes from format('%I.%I') on pg_class: already a quoted identifier.
            await conn.ExecuteAsync(new CommandDefinition($"ANALYZE {table.Name}", transaction: tx, cancellationToken: ct));
            return 0;
        }, ct);
        return locked
            ? new(table.Name, UnitOutcome.Done, "analyzed: " + table.Reason, data)
            : new(table.Name, UnitOutcome.Contended, "another run is analyzing it", data);
    }
}

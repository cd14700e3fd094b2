using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Refreshes the reporting materialized views. In PostgreSQL 15 only the owner may REFRESH, so
/// travel_maintenance (pooler) calls the owner-run function of 0005, which does
/// REFRESH MATERIALIZED VIEW CONCURRENTLY (readers keep reading the old contents meanwhile).
/// </summary>
public sealed class RefreshReportingJob(TravelDataSources sources) : IMaintenanceJob
{
    /// <summary>View -> the SECURITY DEFINER function that refreshes it (0005_reporting.sql).</summary>
    public static readonly IReadOnlyList<(string View, string RefreshFunction)> Views =
        [("reporting.daily_booking_metrics", "reporting.refresh_daily_booking_metrics")];

    public string Name => "RefreshReporting";
    public string DefaultSchedule => "0 5 * * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var results = new List<UnitResult>();
        foreach (var (view, function) in Views)
            results.Add(await JobUnit.RunAsync(ctx, view, ct => RefreshAsync(ctx, view, function, ct)));
        return results;
    }

    private async Task<UnitResult> RefreshAsync(JobContext ctx, string view, string function, CancellationToken ct)
    {
        if (ctx.DryRun) return new(view, UnitOutcome.Done, "dry run: would refresh concurrently");
        var timeoutMs = (int)Math.Clamp(ctx.Remaining.TotalMilliseconds, 1000, int.MaxValue);
        var (locked, rows) = await JobUnit.LockedTransactionAsync(sources.Pooled, JobLocks.Key(ctx.JobName, view), async (conn, tx) =>
        {
            // Bounded by the run's budget; transaction-local, so nothing leaks through the pooler.
            await conn.ExecuteAsync(new CommandDefinition("SELECT set_config('statement_timeout', @ms, true)",
                new { ms = timeoutMs.ToString() }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition($"SELECT {function}()", transaction: tx, cancellationToken: ct));
            return await conn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {view}", transaction: tx, cancellationToken: ct));
        }, ct);
        return locked
            ? new(view, UnitOutcome.Done, $"refreshed concurrently; {rows} rows", new Dictionary<string, object?> { ["rows"] = rows })
            : new(view, UnitOutcome.Contended, "another run is refreshing it");
    }
}

using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Planning;

/// <summary>
/// Planning jobs whose lease ended without a heartbeat (a crashed or stuck agent, 0023_planning_jobs.sql): back to the
/// queue for another agent, or failed when that was their last attempt. app.expire_planning_leases (owner-run, the only
/// thing travel_maintenance may do here) takes a batch per call, skipping rows a completion holds locked; the job calls
/// again until a call changes nothing. The job's clock decides which leases have ended.
/// </summary>
public sealed class PlanningLeasesJob(TravelDataSources sources) : IMaintenanceJob
{
    private const int Batch = 500;

    public string Name => "PlanningLeases";
    public string DefaultSchedule => "0 * * * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx) =>
    [
        await JobUnit.RunAsync(ctx, "planning_jobs", ct => ExpireAsync(ctx, ct)),
    ];

    private async Task<UnitResult> ExpireAsync(JobContext ctx, CancellationToken ct)
    {
        const string unit = "planning_jobs";
        if (ctx.DryRun) return new(unit, UnitOutcome.Done, "dry run: would return expired leases to the queue");
        long total = 0;
        while (true)
        {
            var (locked, n) = await JobUnit.LockedTransactionAsync(sources.Pooled, JobLocks.Key(ctx.JobName, unit),
                (conn, tx) => conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT app.expire_planning_leases(@now, @batch)",
                    new { now = ctx.Clock.GetUtcNow(), batch = Batch }, tx, cancellationToken: ct)), ct);
            if (!locked)
                return total == 0 ? new(unit, UnitOutcome.Contended, "another run holds this unit's lock")
                                  : new(unit, UnitOutcome.Done, $"{total} leases ended; another run took over", Rows(total));
            total += n;
            if (n == 0)
                return total == 0 ? new(unit, UnitOutcome.NothingToDo, "no lease has ended", Rows(0))
                                  : new(unit, UnitOutcome.Done, $"{total} leases ended", Rows(total));
            if (ctx.OutOfTime || ct.IsCancellationRequested)
                return new(unit, UnitOutcome.Deferred, $"{total} leases ended; stopped at the time budget", Rows(total));
        }
    }

    private static Dictionary<string, object?> Rows(long n) => new() { ["rows"] = n };
}

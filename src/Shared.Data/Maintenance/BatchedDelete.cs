using Dapper;
using Npgsql;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Deletes in small batches, one short transaction each (guarded by the unit's advisory lock), until a
/// batch comes back short, the time budget is used up (Deferred: the next run continues), or another run
/// holds the lock (Contended if it held it from the start; otherwise that run finishes the work).
/// A crash between batches loses nothing: every committed batch is complete, the rest is still there.
/// </summary>
internal static class BatchedDelete
{
    /// <param name="deleteSql">Deletes at most @batch rows; must be safe to repeat (condition re-checked).</param>
    /// <param name="countSql">Counts what would be deleted (dry run).</param>
    /// <param name="restPerWork">
    /// After each batch, rest this many times as long as the batch took (Maintenance__PurgeRestPercent / 100). At 2 (the
    /// default) the purge uses at most about a third of the database's time, so live traffic keeps its latency (measured
    /// on the search caches before they were partitioned by expiry, 0009) while the purge still clears ~70 k rows/s.
    /// </param>
    public static async Task<UnitResult> RunAsync(JobContext ctx, NpgsqlDataSource source, string unit,
        string countSql, string deleteSql, Func<int, object> args, int batchSize, double restPerWork, CancellationToken ct)
    {
        if (ctx.DryRun)
        {
            await using var conn = await source.OpenConnectionAsync(ct);
            var pending = await conn.ExecuteScalarAsync<long>(new CommandDefinition(countSql, args(batchSize), cancellationToken: ct));
            return Result(unit, pending == 0 ? UnitOutcome.NothingToDo : UnitOutcome.Done,
                $"dry run: would delete {pending} rows", pending, 0);
        }

        long total = 0;
        var batches = 0;
        var key = JobLocks.Key(ctx.JobName, unit);
        while (true)
        {
            var started = ctx.Clock.GetTimestamp();
            var (locked, deleted) = await JobUnit.LockedTransactionAsync(source, key,
                (conn, tx) => conn.ExecuteAsync(new CommandDefinition(deleteSql, args(batchSize), tx, cancellationToken: ct)), ct);
            if (!locked)
                return batches == 0
                    ? Result(unit, UnitOutcome.Contended, "another run holds this unit's lock", 0, 0)
                    : Result(unit, UnitOutcome.Done, $"deleted {total} rows; another run took over", total, batches);
            total += deleted;
            batches++;
            if (deleted < batchSize)
                return total == 0
                    ? Result(unit, UnitOutcome.NothingToDo, "nothing to delete", 0, batches)
                    : Result(unit, UnitOutcome.Done, $"deleted {total} rows in {batches} batches", total, batches);
            if (ctx.OutOfTime || ct.IsCancellationRequested)
                return Result(unit, UnitOutcome.Deferred, $"deleted {total} rows in {batches} batches; stopped at the time budget, the next run continues", total, batches);
            var rest = ctx.Clock.GetElapsedTime(started) * restPerWork;
            if (rest > TimeSpan.Zero) await Task.Delay(rest, ctx.Clock, ct);
        }
    }

    private static UnitResult Result(string unit, UnitOutcome outcome, string detail, long rows, int batches) =>
        new(unit, outcome, detail, new Dictionary<string, object?> { ["rows"] = rows, ["batches"] = batches });
}

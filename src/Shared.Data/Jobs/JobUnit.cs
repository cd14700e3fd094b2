using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Jobs;

/// <summary>Runs one unit of a job so that its exception becomes a Failed unit, never an aborted job.</summary>
public static class JobUnit
{
    private static readonly ResiliencePipeline Retry = TransientFailures.CreateRetryPipeline(maxRetries: 3);

    public static async Task<UnitResult> RunAsync(JobContext ctx, string unit, Func<CancellationToken, Task<UnitResult>> work)
    {
        if (ctx.CancellationToken.IsCancellationRequested) return new(unit, UnitOutcome.Deferred, "cancelled before it started");
        if (ctx.OutOfTime) return new(unit, UnitOutcome.Deferred, "time budget used up before it started");
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await work(ctx.CancellationToken);
            ctx.Logger.LogInformation("{Job}/{Unit}: {Outcome} in {Ms} ms {Detail}", ctx.JobName, unit, result.Outcome.ToText(), watch.ElapsedMilliseconds, result.Detail);
            return result;
        }
        catch (OperationCanceledException) when (ctx.CancellationToken.IsCancellationRequested)
        {
            ctx.Logger.LogWarning("{Job}/{Unit}: cancelled mid-unit after {Ms} ms", ctx.JobName, unit, watch.ElapsedMilliseconds);
            return new(unit, UnitOutcome.Deferred, "cancelled mid-unit; its open transaction rolled back");
        }
        catch (Exception ex)
        {
            ctx.Logger.LogError(ex, "{Job}/{Unit}: failed after {Ms} ms", ctx.JobName, unit, watch.ElapsedMilliseconds);
            return new(unit, UnitOutcome.Failed, Describe(ex));
        }
    }

    /// <summary>
    /// One short transaction guarded by the unit's advisory lock. Returns (false, default) when another
    /// run holds the lock. Transient failures are retried: the transaction either committed or left no trace,
    /// and every job's transaction is safe to repeat (deletes by condition, refresh, analyze).
    /// </summary>
    public static Task<(bool Locked, T Value)> LockedTransactionAsync<T>(NpgsqlDataSource source, string lockKey,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct) =>
        Retry.ExecuteAsync(async token =>
        {
            await using var conn = await source.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            if (!await JobLocks.TryTransactionLockAsync(conn, tx, lockKey, token)) return (false, default(T)!);
            var value = await work(conn, tx);
            await tx.CommitAsync(token);
            return (true, value);
        }, ct).AsTask();

    public static string Describe(Exception ex) => ex switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}" + (pg.Detail is { Length: > 0 } d ? $" ({d})" : ""),
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}

using Npgsql;
using Polly;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Partitions;

/// <summary>
/// Partition DDL on the direct endpoint as the owner: each attempt is one short transaction with
/// <c>SET LOCAL lock_timeout</c>, so DDL never queues behind (and in front of) app traffic for long;
/// a lock timeout, deadlock or transient connection failure rolls back and is retried a bounded number
/// of times with jittered back-off. Only ever used for work whose transaction did not commit.
/// </summary>
public sealed class ShortDdl(NpgsqlDataSource direct, TimeSpan? lockTimeout = null, int maxRetries = 4)
{
    private readonly string _lockTimeout = $"{(int)(lockTimeout ?? TimeSpan.FromSeconds(2)).TotalMilliseconds}ms";

    private readonly ResiliencePipeline _retry = TransientFailures.CreateRetryPipeline(
        maxRetries, IsRetryable, delay: TimeSpan.FromMilliseconds(250), maxDelay: TimeSpan.FromSeconds(3));

    public NpgsqlDataSource Direct => direct;

    /// <summary>55P03 lock_not_available (our lock_timeout), 40P01 deadlock, and connection-level failures.</summary>
    public static bool IsRetryable(Exception ex) =>
        ex is PostgresException { SqlState: "55P03" or "40P01" } || (TransientFailures.IsTransient(ex) && ex is not PostgresException { SqlState: "40001" });

    /// <summary>Runs <paramref name="work"/> in its own transaction (lock_timeout set), commits, retries on contention.</summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        return await _retry.ExecuteAsync(async token =>
        {
            await using var conn = await direct.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            await using (var set = new NpgsqlCommand($"SET LOCAL lock_timeout = '{_lockTimeout}'; SET LOCAL TimeZone = 'UTC'", conn, tx))
                await set.ExecuteNonQueryAsync(token);
            var result = await work(conn, tx, token);
            await tx.CommitAsync(token);
            return result;
        }, ct);
    }

    public Task RunAsync(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task> work, CancellationToken ct) =>
        RunAsync<bool>(async (c, t, k) => { await work(c, t, k); return true; }, ct);

    /// <summary>How long one try of a DETACH waits for the parent's lock (every insert queues behind the wait).</summary>
    public static readonly TimeSpan ParentLockWait = TimeSpan.FromMilliseconds(100);
    public const int ParentLockTries = 20;

    /// <summary>
    /// DETACH PARTITION inside the caller's transaction, for tables with a DEFAULT partition (all our monthly feeds),
    /// where PostgreSQL refuses DETACH .. CONCURRENTLY. The plain DETACH takes ACCESS EXCLUSIVE on the parent, and
    /// while it waits for it every new insert into the table queues behind it; so each try waits at most
    /// <see cref="ParentLockWait"/>, and one that times out rolls back to a savepoint (the locks and counts taken
    /// before it stay), rests a jittered moment for the queue to drain, and tries again. After
    /// <see cref="ParentLockTries"/> tries the lock timeout propagates (<see cref="RunAsync{T}"/> retries the whole transaction).
    /// </summary>
    public static async Task DetachAsync(NpgsqlConnection c, NpgsqlTransaction tx, string qualifiedParent, string qualifiedPartition, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await tx.SaveAsync("detach", ct);
            try
            {
                // SET LOCAL after the savepoint: rolling back to it restores the transaction's lock_timeout.
                await using (var cmd = new NpgsqlCommand($"SET LOCAL lock_timeout = '{(int)ParentLockWait.TotalMilliseconds}ms'", c, tx))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand($"ALTER TABLE {qualifiedParent} DETACH PARTITION {qualifiedPartition}", c, tx))
                    await cmd.ExecuteNonQueryAsync(ct);
                await tx.ReleaseAsync("detach", ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable && attempt < ParentLockTries)
            {
                await tx.RollbackAsync("detach", ct);
                await Task.Delay(TimeSpan.FromMilliseconds(50 + Random.Shared.Next(200)), ct);
            }
        }
    }
}

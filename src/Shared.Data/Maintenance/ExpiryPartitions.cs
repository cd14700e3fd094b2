using System.Globalization;
using Dapper;
using Npgsql;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Maintenance;

/// <summary>A step of <see cref="ExpiryPartitions"/> just completed (tests stop a run there to play a crash).</summary>
public enum ExpiryStep { Detached, Dropped }

/// <summary>
/// The expiry buckets of one table partitioned by expires_at (0009, maintenance.expiry_partitioned_tables), as the
/// owner on the direct connection:
/// 1. buckets created through now + max TTL + one bucket (maintenance.ensure_expiry_partitions, a short transaction);
/// 2. every bucket whose upper bound is at or before the database's now() (so every row in it has expired for
///    every reader) is detached CONCURRENTLY, then dropped. Cost per bucket, not per row.
/// Crash anywhere: a DETACH left pending is finalized by the next run, a detached bucket not yet dropped (named
/// &lt;table&gt;_eYYYYMMDDHH, no longer a partition, ended) is dropped by it. Two runs at once: a session advisory lock
/// on the unit's job lock key (the same key a pooled run takes per transaction), the loser reports contended.
/// </summary>
public sealed class ExpiryPartitions(NpgsqlDataSource direct, Func<ExpiryStep, string, Task>? afterStep = null,
    TimeSpan? detachWait = null, int detachAttempts = 3)
{
    // DETACH .. CONCURRENTLY takes SHARE UPDATE EXCLUSIVE (reads and writes go on), then waits for every transaction
    // that may still see the bucket. Waiting blocks nobody, so it may wait longer than DDL that queues writers.
    private readonly string _detachWait = $"{(int)(detachWait ?? TimeSpan.FromSeconds(30)).TotalMilliseconds}ms";
    private readonly ShortDdl _ddl = new(direct);

    public async Task<UnitResult> RunAsync(JobContext ctx, string table, CancellationToken ct)
    {
        await using var conn = await direct.OpenConnectionAsync(ct);
        var lockKey = JobLocks.Key(ctx.JobName, table);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(hashtextextended(@lockKey, 0))", new { lockKey }, cancellationToken: ct)))
            return new UnitResult(table, UnitOutcome.Contended, "another run holds this unit's lock");
        try
        {
            return await RunLockedAsync(conn, ctx, table, ct);
        }
        finally
        {
            // A broken connection has lost the lock with the session; the pool's reset would release it too.
            try { await conn.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended(@lockKey, 0)); RESET lock_timeout", new { lockKey }); }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { }
        }
    }

    private async Task<UnitResult> RunLockedAsync(NpgsqlConnection conn, JobContext ctx, string table, CancellationToken ct)
    {
        var parent = $"public.{PartitionedTable.Quote(table)}";
        var settings = await conn.QuerySingleOrDefaultAsync<(TimeSpan Bucket, TimeSpan MaxTtl)?>(new CommandDefinition(
            "SELECT bucket, max_ttl FROM maintenance.expiry_partitioned_tables WHERE table_name = @table", new { table }, cancellationToken: ct))
            ?? throw new InvalidOperationException($"{table} is not listed in maintenance.expiry_partitioned_tables");

        var now = PartitionCatalog.Utc(await conn.ExecuteScalarAsync<DateTime>(new CommandDefinition("SELECT now()", cancellationToken: ct)));
        var expired = (await ListAsync(conn, parent, table, settings.Bucket, ct)).Where(b => b.To <= now).ToList();
        var done = new Progress();
        // A detach left pending by a crash first: PostgreSQL allows one pending detach per table.
        foreach (var b in expired.Where(b => b.Pending))
            if (!await ExpireAsync(conn, ctx, parent, b, done, ct))
                return done.Result(table, UnitOutcome.Deferred, ctx.DryRun, $"stopped at the time budget before {b.Name}; the next run continues");

        if (!ctx.DryRun)
            done.Created = await _ddl.RunAsync((c, tx, token) => c.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT maintenance.ensure_expiry_partitions(@parent::regclass, now(), now() + @ahead)",
                new { parent, ahead = settings.MaxTtl + settings.Bucket }, tx, cancellationToken: token)), ct);

        foreach (var b in expired.Where(b => !b.Pending).OrderBy(b => b.From))
            if (!await ExpireAsync(conn, ctx, parent, b, done, ct))
                return done.Result(table, UnitOutcome.Deferred, ctx.DryRun, $"stopped at the time budget before {b.Name}; the next run continues");
        return done.Result(table, done.WithRows > 0 ? UnitOutcome.Done : UnitOutcome.NothingToDo, ctx.DryRun, null);
    }

    /// <summary>Detaches (if still attached) and drops one ended bucket; false when out of time before it.</summary>
    private async Task<bool> ExpireAsync(NpgsqlConnection conn, JobContext ctx, string parent, Bucket b, Progress done, CancellationToken ct)
    {
        if (ctx.OutOfTime || ct.IsCancellationRequested) return false;
        // Emptiness is one page read; the row count is the planner's estimate (counting would cost per row), except in a
        // dry run, which a person asked for and which writes nothing.
        var q = $"public.{PartitionedTable.Quote(b.Name)}";
        var (hasRows, estimate) = await conn.QuerySingleAsync<(bool, long)>(new CommandDefinition(ctx.DryRun
                ? $"SELECT count(*) > 0, count(*) FROM {q}"
                : $"SELECT EXISTS (SELECT FROM {q}), greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = @q::regclass",
            new { q }, cancellationToken: ct));
        if (!ctx.DryRun)
        {
            if (b.Attached) await DetachAsync(conn, parent, b, ct);
            await DropAsync(parent, b.Name, ct);
        }
        done.Dropped.Add(b.Name);
        if (hasRows) { done.WithRows++; done.Rows += estimate; }
        return true;
    }

    /// <summary>DETACH CONCURRENTLY (or FINALIZE when a detach is pending), retried while a lock wait times out.</summary>
    private async Task DetachAsync(NpgsqlConnection conn, string parent, Bucket b, CancellationToken ct)
    {
        var partition = $"public.{PartitionedTable.Quote(b.Name)}";
        await conn.ExecuteAsync(new CommandDefinition($"SET lock_timeout = '{_detachWait}'", cancellationToken: ct));
        for (var attempt = 1; ; attempt++)
        {
            var state = await conn.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
                "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(@partition) AND inhparent = @parent::regclass",
                new { partition, parent }, cancellationToken: ct));
            if (state is null) break;  // detached already
            try
            {
                // Neither form may run inside a transaction block: each is its own statement, autocommitted.
                await conn.ExecuteAsync(new CommandDefinition(
                    $"ALTER TABLE {parent} DETACH PARTITION {partition} {(state.Value ? "FINALIZE" : "CONCURRENTLY")}", cancellationToken: ct));
                break;
            }
            catch (PostgresException ex) when ((ex.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected) && attempt < detachAttempts)
            {
                // A wait in the second phase leaves the detach pending: the next attempt finalizes it.
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), ct);
            }
        }
        if (afterStep is not null) await afterStep(ExpiryStep.Detached, b.Name);
    }

    /// <summary>Drops a bucket that is no longer a partition (ACCESS EXCLUSIVE on that table only: nobody reads it).</summary>
    private async Task DropAsync(string parent, string name, CancellationToken ct)
    {
        await _ddl.RunAsync(async (c, tx, token) =>
        {
            var q = $"public.{PartitionedTable.Quote(name)}";
            var state = await c.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
                "SELECT relispartition FROM pg_class WHERE oid = to_regclass(@q)", new { q }, tx, cancellationToken: token));
            if (state is null) return;  // dropped already (a run before a crash got here)
            if (state.Value) throw new InvalidOperationException($"{name} is a partition of {parent} again; not dropping it");
            await c.ExecuteAsync(new CommandDefinition($"DROP TABLE {q}", transaction: tx, cancellationToken: token));
        }, ct);
        if (afterStep is not null) await afterStep(ExpiryStep.Dropped, name);
    }

    /// <summary>Attached buckets (bounds from the catalog) and detached leftovers named &lt;table&gt;_eYYYYMMDDHH (bounds from the name).</summary>
    private static async Task<IReadOnlyList<Bucket>> ListAsync(NpgsqlConnection conn, string parent, string table, TimeSpan width, CancellationToken ct)
    {
        var attached = await conn.QueryAsync<(string Name, DateTime From, DateTime To, bool Pending)>(new CommandDefinition("""
            SELECT c.relname::text, b.m[1]::timestamptz, b.m[2]::timestamptz, i.inhdetachpending
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                  '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS m) b
             WHERE i.inhparent = @parent::regclass AND b.m IS NOT NULL
            """, new { parent }, cancellationToken: ct));
        var leftovers = await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ ('^' || @table || '_e[0-9]{10}$')
            """, new { table }, cancellationToken: ct));
        return attached.Select(a => new Bucket(a.Name, PartitionCatalog.Utc(a.From), PartitionCatalog.Utc(a.To), true, a.Pending))
            .Concat(leftovers.Select(name =>
            {
                var from = DateTime.ParseExact(name[^10..], "yyyyMMddHH", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                return new Bucket(name, PartitionCatalog.Utc(from), PartitionCatalog.Utc(from) + width, false, false);
            }))
            .ToList();
    }

    private sealed class Progress
    {
        public int Created;
        public readonly List<string> Dropped = [];
        public int WithRows;
        public long Rows;

        public UnitResult Result(string table, UnitOutcome outcome, bool dryRun, string? note)
        {
            var names = Dropped.Count > 0 ? $" ({string.Join(", ", Dropped)})" : "";
            var detail = (dryRun
                    ? $"dry run: would drop {Dropped.Count} ended bucket(s){names} holding {Rows} rows"
                    : $"created {Created} bucket(s) ahead; dropped {Dropped.Count} ended bucket(s){names}, {WithRows} with rows, about {Rows} rows by the planner's estimate")
                + (note is null ? "" : "; " + note);
            return new UnitResult(table, outcome, detail, new Dictionary<string, object?>
            {
                ["created"] = Created, ["dropped"] = Dropped.Count, ["dropped_with_rows"] = WithRows, ["rows"] = Rows, ["rows_counted"] = dryRun,
            });
        }
    }

    private sealed record Bucket(string Name, DateTimeOffset From, DateTimeOffset To, bool Attached, bool Pending);
}

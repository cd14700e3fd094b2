using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>
/// CacheExpiry on caches partitioned by expiry (0009): ended buckets detached CONCURRENTLY and dropped, live rows
/// never touched, buckets made ahead; two runs at once, a crash between any two steps, readers during the detach.
/// Tests of this class share a database and run one after another: each checks its own keys.
/// </summary>
public sealed class CacheExpiryTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private const string Flights = "flight_search_cache";

    [Fact]
    public async Task Drops_the_ended_buckets_keeps_every_live_row_makes_buckets_ahead_and_folds_hits()
    {
        await using var admin = await OpenAdminAsync();
        var expiredFlights = await Seed.CacheRowsAsync(admin, Flights, 2345, expired: true);
        var liveFlights = await Seed.CacheRowsAsync(admin, Flights, 30, expired: false);
        var expiredHotels = await Seed.CacheRowsAsync(admin, "hotel_search_cache", 7, expired: true);
        var liveHotels = await Seed.CacheRowsAsync(admin, "hotel_search_cache", 11, expired: false);
        // A row of the current bucket that has expired already: hidden from readers, kept until its bucket ends.
        var tail = await Seed.CacheRowsAsync(admin, Flights, 1, expired: false);
        await admin.ExecuteAsync("UPDATE flight_search_cache SET expires_at = now() - interval '1 second' WHERE cache_key = @k", new { k = tail[0] });
        await admin.ExecuteAsync("INSERT INTO search_cache_hits (cache_kind, cache_key) SELECT 'flight', @key FROM generate_series(1, 3)", new { key = liveFlights[0] });

        var result = await fx.RunAsync("CacheExpiry");

        Assert.True(result.Succeeded);
        var row = await fx.Database.RowAsync(result.InvocationId);
        Assert.Equal("done", row.Outcome);
        Assert.True(row.Unit(Flights)["data"]!["dropped_with_rows"]!.GetValue<int>() >= 1);
        Assert.Equal(3, row.Unit("search_cache_hits")["data"]!["rows"]!.GetValue<long>());

        Assert.Equal(0, await CountAsync(admin, Flights, expiredFlights));
        Assert.Equal(0, await CountAsync(admin, "hotel_search_cache", expiredHotels));
        Assert.Equal(liveFlights.Count, await CountAsync(admin, Flights, liveFlights));
        Assert.Equal(liveHotels.Count, await CountAsync(admin, "hotel_search_cache", liveHotels));
        Assert.Equal(1, await CountAsync(admin, Flights, tail));
        Assert.Equal(3L, await admin.ExecuteScalarAsync<long>("SELECT hit_count FROM flight_search_cache WHERE cache_key = @key", new { key = liveFlights[0] }));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM search_cache_hits"));

        foreach (var table in CacheExpiryJob.Caches)
        {
            // No bucket that has ended is left, attached or not; buckets exist through now + max TTL (1 day).
            Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM pg_class c
                 WHERE c.relname ~ ('^' || @table || '_e[0-9]{10}$')
                   AND make_timestamptz(substr(right(c.relname, 10), 1, 4)::int, substr(right(c.relname, 10), 5, 2)::int,
                                        substr(right(c.relname, 10), 7, 2)::int, substr(right(c.relname, 10), 9, 2)::int, 0, 0, 'UTC')
                       + interval '6 hours' <= now()
                """, new { table }));
            Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM generate_series(now(), now() + interval '1 day', interval '10 minutes') t
                 WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                    WHERE i.inhparent = @parent::regclass AND NOT i.inhdetachpending
                                      AND t >= (regexp_match(pg_get_expr(c.relpartbound, c.oid), '''([^'']+)''.*''([^'']+)'''))[1]::timestamptz
                                      AND t <  (regexp_match(pg_get_expr(c.relpartbound, c.oid), '''([^'']+)''.*''([^'']+)'''))[2]::timestamptz)
                """, new { parent = "public." + table }));
        }

        // Re-run: nothing expired left.
        var second = await fx.RunAsync("CacheExpiry");
        Assert.Equal("nothing_to_do", (await fx.Database.RowAsync(second.InvocationId)).Outcome);
    }

    [Fact]
    public async Task A_second_run_during_the_first_reports_contended_and_the_first_finishes()
    {
        await using var admin = await OpenAdminAsync();
        var expired = await Seed.CacheRowsAsync(admin, Flights, 50, expired: true);
        var live = await Seed.CacheRowsAsync(admin, Flights, 5, expired: false);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var direct = NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(fx.Database.Direct));
        var paused = new ExpiryPartitions(direct, async (step, _) =>
        {
            if (step != ExpiryStep.Detached) return;
            reached.TrySetResult();
            await release.Task;
        });

        var first = Task.Run(() => paused.RunAsync(Context(), Flights, CancellationToken.None));
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var second = await fx.RunAsync("CacheExpiry");
        var row = await fx.Database.RowAsync(second.InvocationId);
        Assert.Equal("contended", row.Unit(Flights)["outcome"]!.GetValue<string>());
        var alone = await new ExpiryPartitions(direct).RunAsync(Context(), Flights, CancellationToken.None);
        Assert.Equal(UnitOutcome.Contended, alone.Outcome);

        release.SetResult();
        var done = await first.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(UnitOutcome.Done, done.Outcome);
        Assert.Equal(0, await CountAsync(admin, Flights, expired));
        Assert.Equal(live.Count, await CountAsync(admin, Flights, live));
        Assert.Equal(0L, await LeftoverBucketsAsync(admin));
    }

    [Fact]
    public async Task A_crash_between_detach_and_drop_is_finished_by_the_next_run()
    {
        await using var admin = await OpenAdminAsync();
        var expired = await Seed.CacheRowsAsync(admin, Flights, 40, expired: true);
        var live = await Seed.CacheRowsAsync(admin, Flights, 4, expired: false);
        var bucket = await EndedBucketAsync(admin, expired[0]);
        await using var direct = NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(fx.Database.Direct));
        var crashing = new ExpiryPartitions(direct, (step, name) =>
            step == ExpiryStep.Detached && name == bucket ? throw new InvalidOperationException("crash after detach") : Task.CompletedTask);

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RunAsync(Context(), Flights, CancellationToken.None));

        // The bucket is out of the table (readers never see it) but not dropped yet.
        Assert.Equal(0, await CountAsync(admin, Flights, expired));
        Assert.True(await LeftoverBucketsAsync(admin) >= 1);

        var next = await fx.RunAsync("CacheExpiry");
        Assert.Equal("done", (await fx.Database.RowAsync(next.InvocationId)).Unit(Flights)["outcome"]!.GetValue<string>());
        Assert.Equal(0L, await LeftoverBucketsAsync(admin));
        Assert.Equal(live.Count, await CountAsync(admin, Flights, live));
    }

    [Fact]
    public async Task A_detach_left_pending_mid_way_is_finalized_and_dropped_by_the_next_run()
    {
        await using var admin = await OpenAdminAsync();
        var expired = await Seed.CacheRowsAsync(admin, Flights, 30, expired: true);
        var live = await Seed.CacheRowsAsync(admin, Flights, 3, expired: false);
        var bucket = await EndedBucketAsync(admin, expired[0]);

        // DETACH CONCURRENTLY stopped in its second phase (here by its lock_timeout while a reader is open; a killed
        // process or a cancelled statement leaves the same state): the bucket is marked pending, still in pg_inherits.
        await using (var reader = await OpenAdminAsync())
        await using (var tx = await reader.BeginTransactionAsync())
        {
            await reader.ExecuteScalarAsync<long>("SELECT count(*) FROM flight_search_cache", transaction: tx);
            await using var ddl = await OpenAdminAsync();
            await ddl.ExecuteAsync("SET lock_timeout = '300ms'");
            var ex = await Assert.ThrowsAsync<PostgresException>(() =>
                ddl.ExecuteAsync($"ALTER TABLE flight_search_cache DETACH PARTITION {bucket} CONCURRENTLY"));
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, ex.SqlState);
            await tx.CommitAsync();
        }
        Assert.True(await admin.ExecuteScalarAsync<bool>(
            "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = @b::regclass", new { b = bucket }));

        var next = await fx.RunAsync("CacheExpiry");

        Assert.True(next.Succeeded);
        Assert.Equal("done", (await fx.Database.RowAsync(next.InvocationId)).Unit(Flights)["outcome"]!.GetValue<string>());
        Assert.False(await admin.ExecuteScalarAsync<bool>("SELECT to_regclass(@b) IS NOT NULL", new { b = bucket }));
        Assert.Equal(0, await CountAsync(admin, Flights, expired));
        Assert.Equal(live.Count, await CountAsync(admin, Flights, live));
    }

    [Fact]
    public async Task Readers_and_writers_go_on_while_a_detach_waits_for_an_old_reader_which_keeps_its_rows()
    {
        await using var admin = await OpenAdminAsync();
        var expired = await Seed.CacheRowsAsync(admin, Flights, 25, expired: true);
        var live = await Seed.CacheRowsAsync(admin, Flights, 5, expired: false);
        var bucket = await EndedBucketAsync(admin, expired[0]);
        await using var direct = NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(fx.Database.Direct));

        // An API reader (travel_app through PgBouncer) in a transaction that began before the detach.
        await using var old = new NpgsqlConnection(fx.Database.Pooled);
        await old.OpenAsync();
        await using var oldTx = await old.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        Assert.Equal(expired.Count, await CountAsync(old, Flights, expired, oldTx));

        var job = Task.Run(() => new ExpiryPartitions(direct, detachWait: TimeSpan.FromMinutes(2))
            .RunAsync(Context(), Flights, CancellationToken.None));
        // The first phase has committed (a bucket is pending detach); the detach now waits for the old reader.
        for (var i = 0; !await admin.ExecuteScalarAsync<bool>(
                 "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = 'flight_search_cache'::regclass AND inhdetachpending)"); i++)
        {
            Assert.False(job.IsCompleted, "the job finished before it had to wait");
            Assert.True(i < 600, "the detach never reached its second phase");
            await Task.Delay(100);
        }

        // Meanwhile new readers and writers are not held up: a lookup of a live row and a put both complete.
        await using (var app = new NpgsqlConnection(fx.Database.Pooled))
        {
            await app.OpenAsync();
            Assert.Equal("[]", await app.ExecuteScalarAsync<string>(
                "SELECT results::text FROM flight_search_cache WHERE cache_key = @k AND expires_at > now()", new { k = live[0] }));
            Assert.Equal(1, await app.ExecuteAsync("""
                INSERT INTO flight_search_cache (cache_key, params, results, expires_at)
                VALUES (decode(md5(gen_random_uuid()::text) || md5('x'), 'hex'), '{}', '[]', now() + interval '1 hour')
                """));
        }
        // The old reader still sees the rows of the bucket being detached, as its snapshot says.
        Assert.Equal(expired.Count, await CountAsync(old, Flights, expired, oldTx));
        Assert.False(job.IsCompleted);
        await oldTx.CommitAsync();

        var result = await job.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(UnitOutcome.Done, result.Outcome);
        Assert.False(await admin.ExecuteScalarAsync<bool>("SELECT to_regclass(@b) IS NOT NULL", new { b = bucket }));
        Assert.Equal(live.Count, await CountAsync(admin, Flights, live));
    }

    private async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var conn = new NpgsqlConnection(fx.Database.Admin);
        await conn.OpenAsync();
        return conn;
    }

    private static JobContext Context() =>
        new("CacheExpiry", "test", DateTimeOffset.UtcNow.AddMinutes(5), false, TimeProvider.System, NullLogger.Instance, CancellationToken.None);

    private static Task<int> CountAsync(NpgsqlConnection conn, string table, List<byte[]> keys, NpgsqlTransaction? tx = null) =>
        conn.ExecuteScalarAsync<int>($"SELECT count(*)::int FROM {table} WHERE cache_key = ANY (@keys)", new { keys = keys.ToArray() }, tx);

    private static Task<string> EndedBucketAsync(NpgsqlConnection admin, byte[] key) =>
        admin.ExecuteScalarAsync<string>("SELECT tableoid::regclass::text FROM flight_search_cache WHERE cache_key = @key", new { key })!;

    /// <summary>Flight buckets that are tables but no longer partitions (detached, not dropped).</summary>
    private static Task<long> LeftoverBucketsAsync(NpgsqlConnection admin) =>
        admin.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM pg_class WHERE relname ~ '^flight_search_cache_e[0-9]{10}$' AND relkind = 'r' AND NOT relispartition
            """);
}

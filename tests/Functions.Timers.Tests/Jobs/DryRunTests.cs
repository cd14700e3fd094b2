using Dapper;
using Npgsql;
using TravelFunctions.Timers.Ops;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>`run &lt;Job&gt; --dry-run` reports and writes nothing: no ledger row, no deletes, no ANALYZE, no refresh.</summary>
public sealed class DryRunTests(JobsFixture fx) : IClassFixture<JobsFixture>, IAsyncLifetime
{
    // Everything any of the four jobs would change.
    private const string State = """
        SELECT (SELECT count(*) FROM maintenance.job_runs) AS job_runs,
               (SELECT count(*) FROM flight_search_cache) AS flights,
               (SELECT count(*) FROM search_cache_hits) AS hits,
               (SELECT count(*) FROM users) AS users,
               (SELECT count(*) FROM refresh_sessions) AS sessions,
               (SELECT count(*) FROM reporting.daily_booking_metrics) AS report_rows,
               (SELECT coalesce(sum(analyze_count), 0)::bigint FROM pg_stat_user_tables) AS analyzes
        """;

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        if (await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM users") > 0) return;
        await Seed.CacheRowsAsync(admin, "flight_search_cache", 50, expired: true);
        var keys = await Seed.CacheRowsAsync(admin, "flight_search_cache", 1, expired: false);
        await admin.ExecuteAsync("INSERT INTO search_cache_hits (cache_kind, cache_key) VALUES ('flight', @k)", new { k = keys[0] });
        var purged = await Seed.UserAsync(admin, deletedAt: DateTimeOffset.UtcNow.AddDays(-40));
        await admin.ExecuteAsync("""
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, created_at, expires_at)
            VALUES (@purged, gen_random_uuid(), decode(md5('a') || md5('b'), 'hex'), now() - interval '3 days', now() - interval '1 day')
            """, new { purged });
        await Seed.BookingAsync(admin, await Seed.TripAsync(admin, await Seed.UserAsync(admin)), null);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("CacheExpiry", "holding 50 rows")]
    [InlineData("AnalyzeTables", "would ANALYZE")]
    [InlineData("RetentionPurge", "would delete 1 rows")]
    [InlineData("RefreshReporting", "would refresh")]
    public async Task Dry_run_reports_what_it_would_do_and_writes_nothing(string job, string expected)
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var before = await admin.QuerySingleAsync<(long, long, long, long, long, long, long)>(State);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await OpsCommandLine.RunAsync(["run", job, "--dry-run"], fx.Services, stdout, stderr, CancellationToken.None);

        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains(expected, stdout.ToString());
        Assert.Contains("dry run, nothing written", stdout.ToString());
        Assert.Contains("\"dry_run\":true", stdout.ToString());
        await admin.ExecuteAsync("SELECT pg_stat_clear_snapshot()");
        Assert.Equal(before, await admin.QuerySingleAsync<(long, long, long, long, long, long, long)>(State));
    }

    [Fact]
    public async Task Run_of_an_unknown_function_is_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, await OpsCommandLine.RunAsync(["run", "Nope"], fx.Services, new StringWriter(), stderr, CancellationToken.None));
        Assert.Contains("CacheExpiry", stderr.ToString());
        Assert.Equal(2, await OpsCommandLine.RunAsync(["run", "CacheExpiry", "--force"], fx.Services, new StringWriter(), new StringWriter(), CancellationToken.None));
    }
}

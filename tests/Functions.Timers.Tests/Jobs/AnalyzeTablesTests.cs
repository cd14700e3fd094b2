using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

public sealed class AnalyzeTablesTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private static readonly string[] Parents = ["chat_messages", "user_events", "external_api_logs", "notifications"];

    private async Task<long> AnalyzeCountAsync(NpgsqlConnection admin, string table) =>
        await admin.ExecuteScalarAsync<long>(
            "SELECT coalesce((SELECT analyze_count FROM pg_stat_user_tables WHERE relid = to_regclass(@t)), 0)", new { t = "public." + table });

    [Fact]
    public async Task Analyzes_every_partitioned_parent_and_tables_over_the_threshold()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        // 1500 new rows in a plain table: over max(1000, 10% of live rows). (Not a search cache: those are
        // partitioned since 0009, so they are analyzed as parents.)
        // Autovacuum would analyze it too (and reset its count) if it came round between the inserts and the job.
        await admin.ExecuteAsync("ALTER TABLE search_cache_hits SET (autovacuum_enabled = false)");
        await admin.ExecuteAsync("""
            INSERT INTO search_cache_hits (cache_kind, cache_key)
            SELECT 'hotel', decode(md5(g::text) || md5('h' || g), 'hex') FROM generate_series(1, 1500) g
            """);
        await admin.ExecuteAsync("SELECT pg_stat_force_next_flush()");
        await WaitForAsync(async () => await admin.ExecuteScalarAsync<long>(
            "SELECT coalesce((SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relid = 'public.search_cache_hits'::regclass), 0)") >= 1500);
        var before = new Dictionary<string, long>();
        foreach (var t in Parents) before[t] = await AnalyzeCountAsync(admin, t);

        var result = await fx.RunAsync("AnalyzeTables");

        Assert.True(result.Succeeded);
        var row = await fx.Database.RowAsync(result.InvocationId);
        Assert.Equal("done", row.Outcome);
        foreach (var t in Parents)
        {
            var unit = row.Unit("public." + t);
            Assert.Equal("done", unit["outcome"]!.GetValue<string>());
            Assert.Contains("partitioned parent", unit["detail"]!.GetValue<string>());
            Assert.True(await AnalyzeCountAsync(admin, t) > before[t], $"{t}: analyze_count did not move");
            Assert.NotNull(await admin.ExecuteScalarAsync<DateTime?>(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relid = to_regclass(@t)", new { t = "public." + t }));
        }
        var hits = row.Unit("public.search_cache_hits");
        Assert.Contains("threshold", hits["detail"]!.GetValue<string>());
        Assert.True(await AnalyzeCountAsync(admin, "search_cache_hits") >= 1);
        // A table with no modifications is not analyzed.
        Assert.DoesNotContain(row.SummaryJson["units"]!.AsArray(), u => u!["unit"]!.GetValue<string>() == "public.trip_destinations");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("statistics did not arrive in pg_stat_user_tables within 10 s");
    }
}

using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>
/// Real failures (a broken precondition in this class's own database, no mocks) through the host: the function throws,
/// the invocation fails, the host retries it as [FixedDelayRetry(2, …)] says (3 attempts, each its own invocation id),
/// and every attempt leaves its 'failed' ledger row.
/// </summary>
public sealed class FailingJobTests(HostedTimersFixture fx) : IClassFixture<HostedTimersFixture>
{
    [Fact]
    public Task Refresh_without_the_views_unique_index_fails_its_invocation_is_retried_and_every_attempt_is_recorded() => fx.Check(async () =>
    {
        // REFRESH ... CONCURRENTLY needs a unique index on the view.
        await fx.Database.ExecAsync("DROP INDEX reporting.daily_booking_metrics_key");
        try
        {
            var result = await fx.InvokeAsync("RefreshReporting");

            Assert.False(result.Succeeded);
            Assert.Equal(3, result.Attempts);
            Assert.Equal(3, result.InvocationIds.Distinct().Count());
            Assert.Contains("RefreshReporting: failed", result.Exception);
            Assert.Contains("reporting.daily_booking_metrics", result.Exception);
            foreach (var invocationId in result.InvocationIds)
            {
                var row = await fx.Database.RowAsync(invocationId);
                Assert.Equal("failed", row.Outcome);
                Assert.NotNull(row.FinishedAt);
                Assert.Contains("reporting.daily_booking_metrics", row.Error);
                Assert.Equal("failed", row.Unit("reporting.daily_booking_metrics")["outcome"]!.GetValue<string>());
                // A failure is logged with its error (at Error level), not only thrown.
                Assert.Contains(fx.Host.Output.Split('\n'), l => l.StartsWith("[Error] ", StringComparison.Ordinal)
                    && l.Contains($"RefreshReporting: failed in ", StringComparison.Ordinal) && l.Contains(invocationId, StringComparison.Ordinal));
            }
        }
        finally
        {
            await fx.Database.ExecAsync("CREATE UNIQUE INDEX daily_booking_metrics_key ON reporting.daily_booking_metrics (day, booking_type, currency)");
        }
        // Repaired, the next invocation succeeds at once.
        var repaired = await fx.InvokeAsync("RefreshReporting");
        Assert.True(repaired.Succeeded, repaired.Exception);
        Assert.Equal(1, repaired.Attempts);
    });

    [Fact]
    public Task One_failing_unit_does_not_skip_the_others() => fx.Check(async () =>
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        await Seed.CacheRowsAsync(admin, "flight_search_cache", 5, expired: true);
        await Seed.CacheRowsAsync(admin, "hotel_search_cache", 5, expired: true);
        // The hotel unit cannot find its settings (0009): it fails, the others still run.
        await fx.Database.ExecAsync("DELETE FROM maintenance.expiry_partitioned_tables WHERE table_name = 'hotel_search_cache'");
        try
        {
            var result = await fx.InvokeAsync("CacheExpiry");

            Assert.False(result.Succeeded);
            Assert.Equal(3, result.Attempts);
            var first = await fx.Database.RowAsync(result.InvocationIds[0]);
            Assert.Equal("failed", first.Outcome);
            Assert.Equal("failed", first.Unit("hotel_search_cache")["outcome"]!.GetValue<string>());
            Assert.Contains("hotel_search_cache is not listed in maintenance.expiry_partitioned_tables", first.Error);
            Assert.Equal("done", first.Unit("flight_search_cache")["outcome"]!.GetValue<string>());
            foreach (var retry in result.InvocationIds.Skip(1))
            {
                var row = await fx.Database.RowAsync(retry);
                Assert.Equal("failed", row.Outcome);
                Assert.Equal("nothing_to_do", row.Unit("flight_search_cache")["outcome"]!.GetValue<string>());
            }
            Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM flight_search_cache"));
            Assert.Equal(5L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM hotel_search_cache"));
        }
        finally
        {
            await fx.Database.ExecAsync("INSERT INTO maintenance.expiry_partitioned_tables VALUES ('hotel_search_cache', interval '6 hours', interval '1 day')");
        }
    });
}

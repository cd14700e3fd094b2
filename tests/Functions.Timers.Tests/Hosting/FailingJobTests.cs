using System.Net;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>Real failures (a broken precondition in this class's own database, no mocks): 500, same shape, ledger 'failed'.</summary>
public sealed class FailingJobTests(TimersFixture fx) : IClassFixture<TimersFixture>
{
    [Fact]
    public async Task Refresh_without_the_views_unique_index_answers_500_and_records_the_failure()
    {
        // REFRESH ... CONCURRENTLY needs a unique index on the view.
        await fx.AdminExecAsync("DROP INDEX reporting.daily_booking_metrics_key");
        try
        {
            var (response, body, invocationId) = await fx.InvokeAsync("RefreshReporting");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var logs = TimersFixture.AssertInvocationShape(body);
            Assert.Contains(logs, l => l.Contains("failed", StringComparison.Ordinal));
            var row = await fx.LedgerAsync(invocationId);
            Assert.Equal("failed", row.Outcome);
            Assert.NotNull(row.FinishedAt);
            Assert.Contains("reporting.daily_booking_metrics", row.Error);
            Assert.Equal("failed", row.Unit("reporting.daily_booking_metrics")["outcome"]!.GetValue<string>());
        }
        finally
        {
            await fx.AdminExecAsync("CREATE UNIQUE INDEX daily_booking_metrics_key ON reporting.daily_booking_metrics (day, booking_type, currency)");
        }
    }

    [Fact]
    public async Task One_failing_unit_does_not_skip_the_others()
    {
        await using var admin = new Npgsql.NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        await Seed.CacheRowsAsync(admin, "flight_search_cache", 5, expired: true);
        await Seed.CacheRowsAsync(admin, "hotel_search_cache", 5, expired: true);
        await fx.AdminExecAsync("REVOKE DELETE ON hotel_search_cache FROM travel_maintenance");
        try
        {
            var (response, body, invocationId) = await fx.InvokeAsync("CacheExpiry");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            TimersFixture.AssertInvocationShape(body);
            var row = await fx.LedgerAsync(invocationId);
            Assert.Equal("failed", row.Outcome);
            Assert.Equal("failed", row.Unit("hotel_search_cache")["outcome"]!.GetValue<string>());
            Assert.Contains("42501", row.Error); // insufficient_privilege
            Assert.Equal("done", row.Unit("flight_search_cache")["outcome"]!.GetValue<string>());
            Assert.Equal(0L, await fx.AdminScalarAsync<long>("SELECT count(*) FROM flight_search_cache"));
            Assert.Equal(5L, await fx.AdminScalarAsync<long>("SELECT count(*) FROM hotel_search_cache"));
        }
        finally
        {
            await fx.AdminExecAsync("GRANT DELETE ON hotel_search_cache TO travel_maintenance");
        }
    }
}

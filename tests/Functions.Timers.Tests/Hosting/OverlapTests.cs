using System.Net;
using Dapper;
using Npgsql;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>
/// Two overlapping invocations of one job: the test plays the first one by holding the units'
/// transaction-level advisory locks (as a running unit does), so the outcome is deterministic.
/// </summary>
public sealed class OverlapTests(TimersFixture fx) : IClassFixture<TimersFixture>
{
    private async Task<(NpgsqlConnection, NpgsqlTransaction)> HoldAsync(params string[] keys)
    {
        // Through PgBouncer as travel_maintenance, like the job itself.
        var conn = new NpgsqlConnection(fx.Database.Maintenance);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        foreach (var key in keys)
            Assert.True(await conn.ExecuteScalarAsync<bool>(JobLocks.TryTransactionLockSql, new { key }, tx));
        return (conn, tx);
    }

    [Fact]
    public async Task The_second_invocation_reports_contended_and_the_first_does_the_work()
    {
        var (conn, tx) = await HoldAsync(JobLocks.Key("RefreshReporting", "reporting.daily_booking_metrics"));
        string secondId;
        await using (conn)
        {
            var (response, body, invocationId) = await fx.InvokeAsync("RefreshReporting");
            secondId = invocationId;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // contended is not a failure
            TimersFixture.AssertInvocationShape(body);
            await tx.RollbackAsync();
        }
        var loser = await fx.LedgerAsync(secondId);
        Assert.Equal("contended", loser.Outcome);
        Assert.Equal("contended", loser.Unit("reporting.daily_booking_metrics")["outcome"]!.GetValue<string>());

        var (again, _, againId) = await fx.InvokeAsync("RefreshReporting");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("done", (await fx.LedgerAsync(againId)).Outcome);
    }

    [Fact]
    public async Task A_held_unit_is_left_to_its_holder_while_the_other_units_run()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        await admin.ExecuteAsync("DELETE FROM flight_search_cache; DELETE FROM hotel_search_cache");
        await Seed.CacheRowsAsync(admin, "flight_search_cache", 20, expired: true);
        await Seed.CacheRowsAsync(admin, "hotel_search_cache", 20, expired: true);

        var (conn, tx) = await HoldAsync(JobLocks.Key("CacheExpiry", "flight_search_cache"));
        string id;
        await using (conn)
        {
            var (response, _, invocationId) = await fx.InvokeAsync("CacheExpiry");
            id = invocationId;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await tx.RollbackAsync();
        }
        var row = await fx.LedgerAsync(id);
        Assert.Equal("contended", row.Unit("flight_search_cache")["outcome"]!.GetValue<string>());
        Assert.Equal("done", row.Unit("hotel_search_cache")["outcome"]!.GetValue<string>());
        Assert.Equal("done", row.Outcome);
        Assert.Equal(20L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM flight_search_cache"));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM hotel_search_cache"));
    }
}

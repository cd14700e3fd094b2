using Dapper;
using Npgsql;
using TravelFunctions.Data.Jobs;
using TravelFunctions.LocalHost;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>
/// Overlapping invocations of one job: the unit's transaction-level advisory lock lets one do the work while the other
/// reports contended, and neither is a failed invocation.
/// </summary>
public sealed class OverlapTests(OverlapTests.TwoInstancesFixture fx) : IClassFixture<OverlapTests.TwoInstancesFixture>
{
    /// <summary>Two instances of the app on one database, as when the app is scaled out (each host fires its timers).</summary>
    public sealed class TwoInstancesFixture : HostedTimersFixture
    {
        private FunctionsLocalHost? _second;
        public FunctionsLocalHost Second => _second ?? throw new InvalidOperationException("Fixture not initialized.");

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _second = await StartAsync(Settings);
        }

        public override async Task DisposeAsync()
        {
            if (_second is not null) await _second.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    [Fact]
    public Task Two_overlapping_invocations_one_does_the_work_the_other_reports_contended_both_succeed() => fx.Check(async () =>
    {
        const string view = "reporting.daily_booking_metrics";
        var (admin, hold) = await BookingsLock.TakeAsync(fx.Database);
        await using var connection = admin;
        await using var transaction = hold;

        var first = HostedTimersFixture.InvokeAsync(fx.Host, "RefreshReporting");
        await HostedTimersFixture.WaitForAsync(() => BookingsLock.RefreshWaitsInsideItsUnitAsync(fx.Database),
            "the first run to hold the unit's advisory lock and wait for bookings");

        var second = await HostedTimersFixture.InvokeAsync(fx.Second, "RefreshReporting");
        Assert.True(second.Succeeded, second.Exception); // contended is not a failure
        var loser = await fx.Database.RowAsync(Assert.Single(second.InvocationIds));
        Assert.Equal("contended", loser.Outcome);
        Assert.Equal("contended", loser.Unit(view)["outcome"]!.GetValue<string>());
        Assert.False(first.IsCompleted);

        await hold.CommitAsync();
        var winner = await first;
        Assert.True(winner.Succeeded, winner.Exception);
        Assert.Equal("done", (await fx.Database.RowAsync(Assert.Single(winner.InvocationIds))).Outcome);
    });

    [Fact]
    public Task A_held_unit_is_left_to_its_holder_while_the_other_units_run() => fx.Check(async () =>
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        await admin.ExecuteAsync("DELETE FROM flight_search_cache; DELETE FROM hotel_search_cache");
        await Seed.CacheRowsAsync(admin, "flight_search_cache", 20, expired: true);
        await Seed.CacheRowsAsync(admin, "hotel_search_cache", 20, expired: true);

        // The test plays a run busy with one unit: it holds that unit's lock, through PgBouncer as travel_maintenance.
        await using var holder = new NpgsqlConnection(fx.Database.Maintenance);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        Assert.True(await holder.ExecuteScalarAsync<bool>(JobLocks.TryTransactionLockSql, new { key = JobLocks.Key("CacheExpiry", "flight_search_cache") }, tx));

        var result = await fx.InvokeAsync("CacheExpiry");
        await tx.RollbackAsync();

        Assert.True(result.Succeeded, result.Exception);
        var row = await fx.Database.RowAsync(Assert.Single(result.InvocationIds));
        Assert.Equal("contended", row.Unit("flight_search_cache")["outcome"]!.GetValue<string>());
        Assert.Equal("done", row.Unit("hotel_search_cache")["outcome"]!.GetValue<string>());
        Assert.Equal("done", row.Outcome);
        Assert.Equal(20L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM flight_search_cache"));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM hotel_search_cache"));
    });
}

using Dapper;
using Npgsql;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

public sealed class CacheExpiryTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task Removes_exactly_the_expired_rows_in_batches_and_folds_hits()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var expiredFlights = CacheExpiryJob.BatchSize * 2 + 345; // several batches, the last one short
        await Seed.CacheRowsAsync(admin, "flight_search_cache", expiredFlights, expired: true);
        var liveFlights = await Seed.CacheRowsAsync(admin, "flight_search_cache", 30, expired: false);
        await Seed.CacheRowsAsync(admin, "hotel_search_cache", 7, expired: true);
        var liveHotels = await Seed.CacheRowsAsync(admin, "hotel_search_cache", 11, expired: false);
        // Three pending hits on one live flight row.
        await admin.ExecuteAsync("INSERT INTO search_cache_hits (cache_kind, cache_key) SELECT 'flight', @key FROM generate_series(1, 3)", new { key = liveFlights[0] });

        var result = await fx.RunAsync("CacheExpiry");

        Assert.True(result.Succeeded);
        var row = await fx.Database.RowAsync(result.InvocationId);
        Assert.Equal("done", row.Outcome);
        Assert.Equal(expiredFlights, row.Unit("flight_search_cache")["data"]!["rows"]!.GetValue<long>());
        Assert.Equal(3, row.Unit("flight_search_cache")["data"]!["batches"]!.GetValue<int>());
        Assert.Equal(7, row.Unit("hotel_search_cache")["data"]!["rows"]!.GetValue<long>());
        Assert.Equal(3, row.Unit("search_cache_hits")["data"]!["rows"]!.GetValue<long>());

        var flightKeys = (await admin.QueryAsync<byte[]>("SELECT cache_key FROM flight_search_cache")).Select(Convert.ToHexString).ToHashSet();
        Assert.Equal(liveFlights.Select(Convert.ToHexString).ToHashSet(), flightKeys);
        var hotelKeys = (await admin.QueryAsync<byte[]>("SELECT cache_key FROM hotel_search_cache")).Select(Convert.ToHexString).ToHashSet();
        Assert.Equal(liveHotels.Select(Convert.ToHexString).ToHashSet(), hotelKeys);
        Assert.Equal(3L, await admin.ExecuteScalarAsync<long>("SELECT hit_count FROM flight_search_cache WHERE cache_key = @key", new { key = liveFlights[0] }));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM search_cache_hits"));

        // Re-run: nothing left to do.
        var second = await fx.RunAsync("CacheExpiry");
        Assert.Equal("nothing_to_do", (await fx.Database.RowAsync(second.InvocationId)).Outcome);
    }
}

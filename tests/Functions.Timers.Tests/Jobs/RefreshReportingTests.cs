using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

public sealed class RefreshReportingTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task A_new_booking_shows_in_the_view_after_the_refresh()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var user = await Seed.UserAsync(admin);
        var trip = await Seed.TripAsync(admin, user);
        await Seed.BookingAsync(admin, trip, user, 120.50m);
        const string today = """
            SELECT coalesce(sum(bookings), 0)::bigint AS bookings, coalesce(sum(total_amount), 0) AS amount
              FROM reporting.daily_booking_metrics
             WHERE day = (now() AT TIME ZONE 'UTC')::date AND booking_type = 'hotel' AND currency = 'EUR'
            """;
        Assert.Equal(0L, (await admin.QuerySingleAsync<(long, decimal)>(today)).Item1); // not refreshed yet

        var first = await fx.RunAsync("RefreshReporting");
        Assert.True(first.Succeeded);
        Assert.Equal("done", (await fx.Database.RowAsync(first.InvocationId)).Outcome);
        Assert.Equal((1L, 120.50m), await admin.QuerySingleAsync<(long, decimal)>(today));

        await Seed.BookingAsync(admin, trip, user, 79.50m);
        Assert.True((await fx.RunAsync("RefreshReporting")).Succeeded);
        Assert.Equal((2L, 200.00m), await admin.QuerySingleAsync<(long, decimal)>(today));
    }
}

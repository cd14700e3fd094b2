using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>
/// Bookings in any currency on a trip budgeted in another: spending kept per currency by the database (never drifting),
/// and a total in the trip's currency only where an agent recorded a rate — never a guessed one.
/// </summary>
public sealed class MultiCurrencyTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string RatesScope = "agents:exchange-rates";

    // Each test uses its own currency pair so recorded rates never meet across tests sharing the database.
    private static object Rate(string from, string to, decimal rate, DateTimeOffset asOf, string source = "test") =>
        new { @base = from, quote = to, rate, asOf, source };

    private static async Task<JsonNode> TripAsync(TestUser user, Guid tripId) =>
        await (await user.Client.GetAsync($"/api/trips/{tripId}")).JsonAsync();

    private static Dictionary<string, decimal> ByCurrency(JsonNode trip) =>
        trip["spending"]!["byCurrency"]!.AsArray().ToDictionary(m => m!["currency"]!.GetValue<string>(), m => m!["amount"]!.GetValue<decimal>());

    [Fact]
    public async Task A_booking_in_another_currency_is_accepted_and_counted_in_its_own_currency()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "EUR");
        await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 300m, currency: "EUR"));
        var hotel = await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 45000m, currency: "JPY"));
        Assert.Equal("JPY", hotel["currency"]!.GetValue<string>());

        var body = await TripAsync(user, trip);
        Assert.Equal("EUR", body["currency"]!.GetValue<string>());
        Assert.Equal(300m, body["spentAmount"]!.GetValue<decimal>());
        Assert.Equal(new Dictionary<string, decimal> { ["EUR"] = 300m, ["JPY"] = 45000m }, ByCurrency(body));
        // No JPY→EUR rate recorded (JPY is this test's alone): no total, and the answer says why.
        Assert.Null(body["spending"]!["total"]);
        Assert.Equal(["JPY"], body["spending"]!["unconverted"]!.AsArray().Select(c => c!.GetValue<string>()).ToList());
        Assert.Contains("JPY", body["spending"]!["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_a_recorded_rate_the_total_is_given_in_the_trips_currency_and_an_inverse_rate_serves_too()
    {
        var agent = await api.NewAgentAsync(RatesScope);
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "CHF");
        await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 100m, currency: "CHF"));
        await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 200m, currency: "SEK"));
        await user.CreateBookingAsync(trip, BookingTestData.Body("activity", total: 50m, currency: "NOK"));

        var asOf = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        // SEK→CHF directly; NOK only as CHF→NOK (its inverse is used).
        var recorded = await agent.Client.PutAsJsonAsync("/api/exchange-rates",
            new { rates = new[] { Rate("SEK", "CHF", 0.08m, asOf), Rate("CHF", "NOK", 12.5m, asOf.AddHours(-1)) } });
        await recorded.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(2, (await recorded.JsonAsync())["recorded"]!.GetValue<int>());

        var spending = (await TripAsync(user, trip))["spending"]!;
        // 100 + 200 × 0.08 + 50 / 12.5 = 100 + 16 + 4
        Assert.Equal(120m, spending["total"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("CHF", spending["total"]!["currency"]!.GetValue<string>());
        Assert.Empty(spending["unconverted"]!.AsArray());
        Assert.Equal(asOf.AddHours(-1), spending["ratesAsOf"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task An_older_rate_never_replaces_a_newer_one()
    {
        var agent = await api.NewAgentAsync(RatesScope);
        var now = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("PLN", "CZK", 5.8m, now) } }))
            .EnsureStatusAsync(HttpStatusCode.OK);
        var late = await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("PLN", "CZK", 5.1m, now.AddDays(-1)) } });
        var body = await late.JsonAsync();
        Assert.Equal(0, body["recorded"]!.GetValue<int>());
        Assert.Equal(5.8m, body["keptNewer"]![0]!["rate"]!.GetValue<decimal>());

        var user = await api.NewUserAsync();
        var list = await (await user.Client.GetAsync("/api/exchange-rates?currency=CZK")).JsonAsync();
        var pair = list["items"]!.AsArray().Single(r => r!["base"]!.GetValue<string>() == "PLN")!;
        Assert.Equal(5.8m, pair["rate"]!.GetValue<decimal>());
        Assert.Equal(now, pair["asOf"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Only_agents_with_the_scope_record_rates_and_bad_rates_are_400()
    {
        var user = await api.NewUserAsync();
        var body = new { rates = new[] { Rate("HUF", "RON", 0.0127m, DateTimeOffset.UtcNow.AddMinutes(-1)) } };
        await (await user.Client.PutAsJsonAsync("/api/exchange-rates", body)).ProblemAsync(HttpStatusCode.Unauthorized);
        var other = await api.NewAgentAsync("agents:chat");
        await (await other.Client.PutAsJsonAsync("/api/exchange-rates", body)).ProblemAsync(HttpStatusCode.Forbidden);

        var agent = await api.NewAgentAsync(RatesScope);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("HUF", "HUF", 1m, at) } })).ValidationProblemAsync("rates[0].quote");
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("HUF", "RON", 0m, at) } })).ValidationProblemAsync("rates[0].rate");
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("huf", "RON", 1m, at) } })).ValidationProblemAsync("rates[0].base");
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("HUF", "RON", 1m, at.AddDays(1)) } })).ValidationProblemAsync("rates[0].asOf");
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = new[] { Rate("HUF", "RON", 1m, at), Rate("HUF", "RON", 2m, at) } }))
            .ValidationProblemAsync("rates");
        await (await agent.Client.PutAsJsonAsync("/api/exchange-rates", new { rates = Array.Empty<object>() })).ValidationProblemAsync("rates");
        var none = await (await user.Client.GetAsync("/api/exchange-rates?currency=HUF")).JsonAsync();
        Assert.Empty(none["items"]!.AsArray());
        await (await user.Client.GetAsync("/api/exchange-rates?currency=huf")).ValidationProblemAsync("currency");
    }

    [Fact]
    public async Task Spending_per_currency_never_drifts_under_concurrent_bookings_and_cancels()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "EUR");
        var currencies = new[] { "EUR", "USD", "GBP" };
        var created = await Task.WhenAll(Enumerable.Range(0, 18).Select(async i =>
        {
            var response = await user.Client.PostAsync($"/api/trips/{trip}/bookings",
                BookingTestData.Body(BookingTestData.Types[i % 4], total: 10m + i, currency: currencies[i % 3]).Json());
            await response.EnsureStatusAsync(HttpStatusCode.Created);
            return (await response.JsonAsync()).Id();
        }));
        await Task.WhenAll(created.Where((_, i) => i % 4 == 0).Select(async id =>
            await (await user.Client.PostAsync($"/api/bookings/{id}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK)));

        var expected = await api.ScalarAsync<string>("""
            SELECT coalesce(string_agg(currency || '=' || total, ',' ORDER BY currency), '')
              FROM (SELECT currency, sum(total_amount) AS total FROM bookings WHERE trip_id = @t AND status <> 'cancelled' GROUP BY currency) s
            """, ("t", trip));
        var kept = await api.ScalarAsync<string>(
            "SELECT coalesce(string_agg(currency || '=' || amount, ',' ORDER BY currency), '') FROM trip_spending WHERE trip_id = @t", ("t", trip));
        Assert.Equal(expected, kept);
        var body = await TripAsync(user, trip);
        Assert.Equal(ByCurrency(body)["EUR"], body["spentAmount"]!.GetValue<decimal>());
        Assert.Equal(await api.ScalarAsync<decimal>(
            "SELECT sum(total_amount) FROM bookings WHERE trip_id = @t AND status <> 'cancelled' AND currency = 'EUR'", ("t", trip)),
            body["spentAmount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task The_first_booking_gives_a_trip_without_a_currency_its_own_and_a_new_budget_currency_recounts_spent()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 120m, currency: "USD"));
        await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 80m, currency: "EUR"));
        var before = await TripAsync(user, trip);
        Assert.Equal("USD", before["currency"]!.GetValue<string>());
        Assert.Equal(120m, before["spentAmount"]!.GetValue<decimal>());

        // Budgeting in EUR now: what the trip spent in EUR is 80, read from its spending, not carried over from USD.
        var patched = await user.Client.PatchAsJsonAsync($"/api/trips/{trip}", new { budget = new { amount = 1000m, currency = "EUR" } });
        await patched.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await patched.JsonAsync();
        Assert.Equal("EUR", after["currency"]!.GetValue<string>());
        Assert.Equal(80m, after["spentAmount"]!.GetValue<decimal>());
        Assert.Equal(new Dictionary<string, decimal> { ["EUR"] = 80m, ["USD"] = 120m }, ByCurrency(after));
    }

    [Fact]
    public async Task Trip_stats_count_spending_in_every_currency()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "EUR");
        await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 70m, currency: "EUR"));
        await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 9000m, currency: "JPY"));
        var stats = await (await user.Client.GetAsync("/api/trips/stats")).JsonAsync();
        var byCurrency = stats["byCurrency"]!.AsArray().ToDictionary(c => c!["currency"]!.GetValue<string>(), c => c!);
        Assert.Equal(70m, byCurrency["EUR"]["spent"]!.GetValue<decimal>());
        Assert.Equal(1, byCurrency["EUR"]["trips"]!.GetValue<int>());
        Assert.Equal(9000m, byCurrency["JPY"]["spent"]!.GetValue<decimal>());
        Assert.Equal(0, byCurrency["JPY"]["trips"]!.GetValue<int>());
    }
}

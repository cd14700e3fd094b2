using System.Net;
using System.Net.Http.Json;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Trips;

public sealed class TripsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Create_returns_201_location_etag_and_the_trip()
    {
        var user = await api.NewUserAsync();
        var response = await user.Client.PostAsJsonAsync("/api/trips", TripTestData.NewTrip());
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        var trip = await response.JsonAsync();
        var id = trip["id"]!.GetValue<Guid>();
        Assert.Equal($"/api/trips/{id}", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("leisure", trip["tripType"]!.GetValue<string>());
        Assert.Equal("planning", trip["status"]!.GetValue<string>());
        Assert.Equal("2027-05-01", trip["startDate"]!.GetValue<string>());
        Assert.Equal(1500.50m, trip["budget"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("EUR", trip["budget"]!["currency"]!.GetValue<string>());
        Assert.Equal(0m, trip["spentAmount"]!.GetValue<decimal>());
        Assert.Equal("Lisbon", trip["destinations"]![0]!["city"]!.GetValue<string>());
        Assert.Equal("owner", trip["myRole"]!.GetValue<string>());

        var get = await user.Client.GetAsync($"/api/trips/{id}");
        await get.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(response.Headers.ETag, get.Headers.ETag);
    }

    [Theory]
    [InlineData("""{"title":"T","tripType":"cruise","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1}""", "tripType")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-05","endDate":"2027-01-02","travelerCount":1}""", "endDate")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-13-01","endDate":"2027-01-02","travelerCount":1}""", "startDate")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":0}""", "travelerCount")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":"2"}""", "travelerCount")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"budget":{"amount":-1,"currency":"EUR"}}""", "budget.amount")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"budget":{"amount":10.999,"currency":"EUR"}}""", "budget.amount")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"budget":{"amount":10,"currency":"eur"}}""", "budget.currency")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"destinations":[{"city":"Rome","country":"ITA"}]}""", "destinations[0].country")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"destinations":[{"city":"Rome","country":"IT","arrivalDate":"2027-02-01"}]}""", "destinations[0]")]
    [InlineData("""{"title":"T","tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1,"ownerId":"00000000-0000-0000-0000-000000000001"}""", "ownerId")]
    [InlineData("""{"tripType":"solo","startDate":"2027-01-01","endDate":"2027-01-02","travelerCount":1}""", "title")]
    [InlineData("""[1,2,3]""", "body")]
    [InlineData("""{"title":""", "title")]
    public async Task Create_rejects_bad_input_with_field_errors_and_writes_nothing(string json, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsync("/api/trips", HttpTestExtensions.RawJson(json))).ValidationProblemAsync(field);
        Assert.Equal(0, await CountTripsAsync(user.Id));
    }

    [Fact]
    public async Task Over_long_title_is_400()
    {
        var user = await api.NewUserAsync();
        var trip = new { title = new string('x', 201), tripType = "solo", startDate = "2027-01-01", endDate = "2027-01-02", travelerCount = 1 };
        await (await user.Client.PostAsJsonAsync("/api/trips", trip)).ValidationProblemAsync("title");
        Assert.Equal(0, await CountTripsAsync(user.Id));
    }

    [Fact]
    public async Task Non_uuid_id_is_400_naming_the_parameter()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/trips/not-a-uuid")).ValidationProblemAsync("tripId");
        await (await user.Client.DeleteAsync("/api/trips/123")).ValidationProblemAsync("tripId");
    }

    [Fact]
    public async Task Another_users_trip_is_404_on_every_endpoint_and_nothing_changes()
    {
        var owner = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = await owner.CreateTripAsync();
        var id = trip["id"]!.GetValue<Guid>();

        await (await stranger.Client.GetAsync($"/api/trips/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PatchAsJsonAsync($"/api/trips/{id}", new { title = "Mine now" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.DeleteAsync($"/api/trips/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.GetAsync($"/api/trips/{id}/collaborators")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsJsonAsync($"/api/trips/{id}/collaborators", new { email = stranger.Email, role = "editor" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsync($"/api/trips/{id}/collaborators/accept", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.DeleteAsync($"/api/trips/{id}/collaborators/{owner.Id}")).ProblemAsync(HttpStatusCode.NotFound);
        // Not there looks the same as not yours.
        await (await stranger.Client.GetAsync($"/api/trips/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);

        var after = await (await owner.Client.GetAsync($"/api/trips/{id}")).JsonAsync();
        Assert.Equal(trip["title"]!.GetValue<string>(), after["title"]!.GetValue<string>());
        Assert.Equal(trip["version"]!.GetValue<int>(), after["version"]!.GetValue<int>());
        var list = await (await stranger.Client.GetAsync("/api/trips")).JsonAsync();
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Patch_honours_if_match_and_answers_412_when_stale()
    {
        var user = await api.NewUserAsync();
        var created = await user.Client.PostAsJsonAsync("/api/trips", TripTestData.NewTrip());
        var id = (await created.JsonAsync())["id"]!.GetValue<Guid>();
        var etag = created.Headers.ETag!.ToString();

        var first = new HttpRequestMessage(HttpMethod.Patch, $"/api/trips/{id}") { Content = JsonContent.Create(new { title = "Renamed", status = "booked" }) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        var ok = await user.Client.SendAsync(first);
        await ok.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, ok.Headers.ETag!.ToString());
        var body = await ok.JsonAsync();
        Assert.Equal("Renamed", body["title"]!.GetValue<string>());
        Assert.Equal("booked", body["status"]!.GetValue<string>());
        Assert.Equal("Food, fado and trams", body["description"]!.GetValue<string>());

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/trips/{id}") { Content = JsonContent.Create(new { title = "Lost update" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await user.Client.SendAsync(stale)).ProblemAsync(HttpStatusCode.PreconditionFailed);
        var now = await (await user.Client.GetAsync($"/api/trips/{id}")).JsonAsync();
        Assert.Equal("Renamed", now["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_validates_merged_dates_and_replaces_destinations()
    {
        var user = await api.NewUserAsync();
        var id = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        await (await user.Client.PatchAsJsonAsync($"/api/trips/{id}", new { endDate = "2027-04-01" })).ValidationProblemAsync("endDate");
        var updated = await user.Client.PatchAsJsonAsync($"/api/trips/{id}", new
        {
            endDate = "2027-05-10",
            destinations = new[] { new { city = "Porto", country = "PT", arrivalDate = "2027-05-06" }, new { city = "Lisbon", country = "PT", arrivalDate = "2027-05-01" } },
        });
        await updated.EnsureStatusAsync(HttpStatusCode.OK);
        var trip = await updated.JsonAsync();
        Assert.Equal(2, trip["destinations"]!.AsArray().Count);
        Assert.Equal("Porto", trip["destinations"]![0]!["city"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_is_409_while_a_booking_is_confirmed_and_204_after()
    {
        var user = await api.NewUserAsync();
        var id = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        await using (var conn = new NpgsqlConnection(api.Database.Admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO bookings (trip_id, booking_type, status, confirmation_code, details, total_amount, currency, starts_at, confirmed_at)
                VALUES (@id, 'activity', 'confirmed', 'TESTCNF1', '{}', 10, 'EUR', now(), now())
                """, conn);
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
        }
        await (await user.Client.DeleteAsync($"/api/trips/{id}")).ProblemAsync(HttpStatusCode.Conflict);
        await using (var conn = new NpgsqlConnection(api.Database.Admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE trip_id = @id", conn);
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
        }
        await (await user.Client.DeleteAsync($"/api/trips/{id}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await user.Client.GetAsync($"/api/trips/{id}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_filters_by_status_text_and_dates()
    {
        var user = await api.NewUserAsync();
        await user.CreateTripAsync(TripTestData.NewTrip("Tokyo spring", "2027-03-20", "2027-04-02"));
        var rome = await user.CreateTripAsync(new
        {
            title = "Work offsite", tripType = "business", startDate = "2027-09-01", endDate = "2027-09-03", travelerCount = 1,
            destinations = new[] { new { city = "Rome", country = "IT" } },
        });
        await user.Client.PatchAsJsonAsync($"/api/trips/{rome["id"]}", new { status = "booked" });

        async Task<List<string>> Titles(string query) =>
            (await (await user.Client.GetAsync("/api/trips" + query)).JsonAsync() is var b && b["items"] is null ? throw new Xunit.Sdk.XunitException(b.ToJsonString()) : b)["items"]!.AsArray().Select(t => t!["title"]!.GetValue<string>()).ToList();

        Assert.Equal(["Work offsite"], await Titles("?status=booked"));
        Assert.Equal(["Work offsite"], await Titles("?q=rome"));
        Assert.Equal(["Tokyo spring"], await Titles("?q=tokyo"));
        Assert.Equal(["Tokyo spring"], await Titles("?from=2027-03-01&to=2027-03-31"));
        Assert.Equal(["Work offsite", "Tokyo spring"], await Titles(""));
        await (await user.Client.GetAsync("/api/trips?status=lost")).ValidationProblemAsync("status");
        await (await user.Client.GetAsync("/api/trips?limit=101")).ValidationProblemAsync("limit");
        await (await user.Client.GetAsync("/api/trips?cursor=garbage")).ValidationProblemAsync("cursor");
        await (await user.Client.GetAsync("/api/trips?from=someday")).ValidationProblemAsync("from");
    }

    [Fact]
    public async Task Pagination_neither_skips_nor_repeats_while_trips_are_inserted()
    {
        var user = await api.NewUserAsync();
        var existing = new HashSet<Guid>();
        for (var i = 0; i < 12; i++)
        {
            // Several trips share a start date so the id tie-breaker matters.
            var day = 1 + i / 3;
            existing.Add((await user.CreateTripAsync(TripTestData.NewTrip($"Trip {i}", $"2027-06-{day:00}", "2027-06-20")))["id"]!.GetValue<Guid>());
        }
        var seen = new List<Guid>();
        string? cursor = null;
        var inserted = 0;
        do
        {
            var page = await (await user.Client.GetAsync("/api/trips?limit=5" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            seen.AddRange(page["items"]!.AsArray().Select(t => t!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            // New trips both before and after the cursor position.
            await user.CreateTripAsync(TripTestData.NewTrip($"Late {inserted++}", "2027-06-02", "2027-06-20"));
            await user.CreateTripAsync(TripTestData.NewTrip($"Early {inserted++}", "2027-12-01", "2027-12-20"));
        } while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(existing.Except(seen));
    }

    [Fact]
    public async Task Stats_total_by_status_and_money_per_currency()
    {
        var user = await api.NewUserAsync();
        await user.CreateTripAsync(TripTestData.NewTrip(budget: new { amount = 100m, currency = "EUR" }));
        await user.CreateTripAsync(TripTestData.NewTrip(budget: new { amount = 50.25m, currency = "EUR" }));
        await user.CreateTripAsync(TripTestData.NewTrip(budget: new { amount = 700m, currency = "USD" }));
        var stats = await (await user.Client.GetAsync("/api/trips/stats")).JsonAsync();
        Assert.Equal(3, stats["totalTrips"]!.GetValue<long>());
        Assert.Equal(3, stats["byStatus"]![0]!["trips"]!.GetValue<long>());
        var eur = stats["byCurrency"]!.AsArray().Single(c => c!["currency"]!.GetValue<string>() == "EUR")!;
        Assert.Equal(150.25m, eur["budget"]!.GetValue<decimal>());
        Assert.Equal(0m, eur["spent"]!.GetValue<decimal>());
    }

    private async Task<int> CountTripsAsync(Guid ownerId)
    {
        await using var conn = new NpgsqlConnection(api.Database.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM trips WHERE owner_id = @id", conn);
        cmd.Parameters.AddWithValue("id", ownerId);
        return (int)(long)(await cmd.ExecuteScalarAsync())!;
    }
}

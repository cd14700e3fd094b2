using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

public sealed class BookingCreateTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("flight", "2026-07-01T09:00:00Z", "2026-07-01T17:30:00Z")]
    [InlineData("hotel", "2026-07-01T00:00:00Z", "2026-07-05T00:00:00Z")]
    [InlineData("activity", "2026-07-02T09:30:00Z", null)]
    [InlineData("car_rental", "2026-07-01T19:00:00Z", "2026-07-04T14:00:00Z")]
    public async Task Create_returns_201_with_location_code_and_times_derived_from_details(string type, string startsAt, string? endsAt)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var response = await user.Client.PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body(type).Json());
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        var body = await response.JsonAsync();
        var id = body.Id();
        Assert.Equal($"/api/bookings/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(trip, body["tripId"]!.GetValue<Guid>());
        Assert.Equal(type, body["bookingType"]!.GetValue<string>());
        Assert.Equal("pending", body["status"]!.GetValue<string>());
        Assert.Matches("^[A-HJ-NP-Z2-9]{8}$", body["confirmationCode"]!.GetValue<string>());
        Assert.Equal(850.50m, body["totalAmount"]!.GetValue<decimal>());
        Assert.Equal("EUR", body["currency"]!.GetValue<string>());
        Assert.Equal("Acme Travel", body["supplierName"]!.GetValue<string>());
        Assert.Null(body["supplierReference"]);
        Assert.True(body["cancellable"]!.GetValue<bool>());
        Assert.Equal(25m, body["cancellationFee"]!.GetValue<decimal>());
        Assert.Null(body["cancellationFeeCharged"]);
        Assert.Equal(DateTimeOffset.Parse(startsAt), body["startsAt"]!.GetValue<DateTimeOffset>());
        if (endsAt is null) Assert.Null(body["endsAt"]);
        else Assert.Equal(DateTimeOffset.Parse(endsAt), body["endsAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(body["confirmedAt"]);
        Assert.Null(body["cancelledAt"]);
        // Details come back as sent (same members, same values).
        var sent = BookingTestData.Details(type);
        var echoed = body["details"]!.AsObject();
        Assert.Equal(sent.Count, echoed.Count);
        foreach (var (key, value) in sent)
            if (value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, out var when) && s.Contains('T'))
                Assert.Equal(when, echoed[key]!.GetValue<DateTimeOffset>());
            else
                Assert.True(JsonNode.DeepEquals(value, echoed[key]), $"details.{key}: sent {value?.ToJsonString()}, got {echoed[key]?.ToJsonString()}");

        var stored = await api.ScalarAsync<string>("SELECT booking_type || '/' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '/' || created_by FROM bookings WHERE id = @id", ("id", id));
        Assert.Equal($"{type}/{DateTimeOffset.Parse(startsAt).UtcDateTime:yyyy-MM-dd HH:mm:ss}/{user.Id}", stored);
    }

    [Fact]
    public async Task Optional_fields_may_be_left_out()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = new JsonObject
        {
            ["bookingType"] = "activity",
            ["details"] = new JsonObject { ["activityName"] = "Museum", ["date"] = "2026-07-03" },
            ["totalAmount"] = 0, ["currency"] = "USD", ["cancellable"] = false,
        };
        var created = await user.CreateBookingAsync(trip, body);
        Assert.Null(created["supplierName"]);
        Assert.Null(created["cancellationDeadline"]);
        Assert.Null(created["cancellationFee"]);
        Assert.Equal(DateTimeOffset.Parse("2026-07-03T00:00:00Z"), created["startsAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, created["details"]!.AsObject().Count);
    }

    public static TheoryData<string, string> BadBodies()
    {
        static string Mutate(string type, Action<JsonObject> change)
        {
            var body = BookingTestData.Body(type);
            change(body);
            return body.ToJsonString();
        }
        static JsonObject D(JsonObject b) => b["details"]!.AsObject();
        return new TheoryData<string, string>
        {
            { """{"bookingType":"flight",""", "body" },
            { "[1,2]", "body" },
            { Mutate("flight", b => b["totalAmount"] = "850.50"), "totalAmount" },
            { Mutate("flight", b => b["cancellable"] = "yes"), "cancellable" },
            { Mutate("flight", b => D(b)["passengers"] = "2"), "details.passengers" },
            { Mutate("flight", b => D(b)["passengers"] = 1.5), "details.passengers" },
            { Mutate("flight", b => b["bookingType"] = "boat"), "bookingType" },
            { Mutate("flight", b => b["bookingType"] = 0), "bookingType" },
            { Mutate("flight", b => D(b)["cabinClass"] = "luxury"), "details.cabinClass" },
            { Mutate("flight", b => D(b)["foo"] = 1), "details.foo" },
            { Mutate("hotel", b => D(b)["minibar"] = true), "details.minibar" },
            { Mutate("flight", b => b["foo"] = 1), "foo" },
            { Mutate("flight", b => b["supplierName"] = new string('x', 201)), "supplierName" },
            { Mutate("flight", b => b["supplierName"] = "  "), "supplierName" },
            { Mutate("hotel", b => D(b)["hotelName"] = new string('x', 201)), "details.hotelName" },
            { Mutate("car_rental", b => D(b)["company"] = new string('x', 201)), "details.company" },
            { Mutate("flight", b => D(b)["arrivalTime"] = "2026-07-01T08:00:00+01:00"), "details.arrivalTime" },
            { Mutate("hotel", b => D(b)["checkOut"] = "2026-07-01"), "details.checkOut" },
            { Mutate("car_rental", b => D(b)["dropoffTime"] = "2026-07-01T14:59:00-04:00"), "details.dropoffTime" },
            { Mutate("flight", b => b["totalAmount"] = -1), "totalAmount" },
            { Mutate("flight", b => b["totalAmount"] = 10.005m), "totalAmount" },
            { Mutate("flight", b => b["totalAmount"] = 10_000_000_000m), "totalAmount" },
            { Mutate("flight", b => b["cancellationFee"] = -5), "cancellationFee" },
            { Mutate("flight", b => b["cancellationFee"] = 900), "cancellationFee" },
            { Mutate("flight", b => b["cancellationFee"] = 1.234m), "cancellationFee" },
            { Mutate("flight", b => b["currency"] = "eur"), "currency" },
            { Mutate("flight", b => b["currency"] = "EURO"), "currency" },
            { Mutate("flight", b => b["currency"] = null), "currency" },
            { Mutate("flight", b => D(b)["departureTime"] = "2026-07-01T10:00:00"), "details.departureTime" },
            { Mutate("car_rental", b => D(b)["pickupTime"] = "2026-07-01 15:00"), "details.pickupTime" },
            { Mutate("flight", b => b["cancellationDeadline"] = "2026-06-25T00:00:00"), "cancellationDeadline" },
            { Mutate("flight", b => b.Remove("details")), "details" },
            { Mutate("flight", b => b["details"] = "LIS-JFK"), "details" },
            { Mutate("flight", b => b["details"] = BookingTestData.Details("hotel")), "details.hotelName" },
            { Mutate("flight", b => D(b).Remove("arrivalTime")), "details.arrivalTime" },
            { Mutate("flight", b => b.Remove("bookingType")), "bookingType" },
            { Mutate("flight", b => b.Remove("cancellable")), "cancellable" },
            { Mutate("flight", b => b.Remove("totalAmount")), "totalAmount" },
            { Mutate("flight", b => D(b)["destination"] = "LIS"), "details.destination" },
            { Mutate("flight", b => D(b)["origin"] = "lis"), "details.origin" },
            { Mutate("flight", b => D(b)["airline"] = "TAP"), "details.airline" },
            { Mutate("flight", b => D(b)["flightNumber"] = "IB201"), "details.flightNumber" },
            { Mutate("flight", b => D(b)["flightNumber"] = "TP 20145"), "details.flightNumber" },
            { Mutate("flight", b => D(b)["passengers"] = 0), "details.passengers" },
            { Mutate("flight", b => D(b)["passengers"] = 10), "details.passengers" },
            { Mutate("flight", b => D(b)["seats"] = new JsonArray("12")), "details.seats[0]" },
            { Mutate("flight", b => D(b)["seats"] = new JsonArray("1A", "1B", "1C")), "details.seats" },
            { Mutate("hotel", b => D(b)["checkIn"] = "01/07/2026"), "details.checkIn" },
            { Mutate("hotel", b => D(b)["guests"] = 0), "details.guests" },
            { Mutate("hotel", b => D(b)["rooms"] = 0), "details.rooms" },
            { Mutate("activity", b => D(b)["time"] = "9:30"), "details.time" },
            { Mutate("activity", b => D(b)["participants"] = 0), "details.participants" },
            { Mutate("activity", b => D(b).Remove("date")), "details.date" },
            { Mutate("car_rental", b => D(b).Remove("dropoffLocation")), "details.dropoffLocation" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_400_naming_the_field_and_writes_nothing(string json, string field)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/bookings") { Content = HttpTestExtensions.RawJson(json) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        await (await user.Client.SendAsync(request)).ValidationProblemAsync(field);
        Assert.Equal(0, await api.BookingCountAsync(trip));
        Assert.Equal(0, await api.KeyCountAsync(user.Id));
        Assert.Equal(0m, await api.SpentAsync(trip));
    }

    [Fact]
    public async Task Over_long_idempotency_key_is_400_and_writes_nothing()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/bookings") { Content = BookingTestData.Body().Json() };
        request.Headers.Add("Idempotency-Key", new string('k', 201));
        await (await user.Client.SendAsync(request)).ValidationProblemAsync("Idempotency-Key");
        Assert.Equal(0, await api.BookingCountAsync(trip));
    }

    [Fact]
    public async Task Non_uuid_trip_id_is_400_naming_it()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsync("/api/trips/not-a-uuid/bookings", BookingTestData.Body().Json())).ValidationProblemAsync("tripId");
    }

    [Fact]
    public async Task Unknown_trip_and_someone_elses_trip_are_both_404_and_nothing_is_written()
    {
        var owner = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id);
        var theirs = await stranger.Client.PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body().Json());
        var missing = await stranger.Client.PostAsync($"/api/trips/{Guid.NewGuid()}/bookings", BookingTestData.Body().Json());
        var a = await theirs.ProblemAsync(HttpStatusCode.NotFound);
        var b = await missing.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(a["detail"]!.GetValue<string>(), b["detail"]!.GetValue<string>());
        Assert.Equal(0, await api.BookingCountAsync(trip));
    }

    [Fact]
    public async Task Without_a_token_it_is_401()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        await (await api.Anonymous().PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body().Json())).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, await api.BookingCountAsync(trip));
    }

    [Fact]
    public async Task Spent_amount_follows_creates_and_cancels()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var a = await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 100m));
        await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 50.25m));
        Assert.Equal(150.25m, await api.SpentAsync(trip));
        await (await user.Client.PostAsync($"/api/bookings/{a.Id()}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(50.25m, await api.SpentAsync(trip));
        Assert.Equal(await api.SumOfLiveBookingsAsync(trip), await api.SpentAsync(trip));
    }
}

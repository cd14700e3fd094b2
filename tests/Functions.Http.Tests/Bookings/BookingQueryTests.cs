using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Data.Bookings;
using TravelFunctions.Data.Connections;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>Reading bookings: by id, by code, and the filtered keyset-paginated list.</summary>
public sealed class BookingQueryTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static List<Guid> Ids(JsonNode page) => page["items"]!.AsArray().Select(i => i!.Id()).ToList();

    [Fact]
    public async Task Get_by_id_and_by_code_return_the_booking()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var created = await user.CreateBookingAsync(trip, BookingTestData.Body("car_rental"));
        var code = created["confirmationCode"]!.GetValue<string>();

        var byId = await user.Client.GetAsync($"/api/bookings/{created.Id()}");
        await byId.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(created, await byId.JsonAsync()));

        var byCode = await user.Client.GetAsync($"/api/bookings/by-code/{code}");
        await byCode.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(created.Id(), (await byCode.JsonAsync()).Id());
        // Codes are read out and typed: lower case finds it too.
        Assert.Equal(created.Id(), (await (await user.Client.GetAsync($"/api/bookings/by-code/{code.ToLowerInvariant()}")).JsonAsync()).Id());
    }

    [Fact]
    public async Task Unknown_code_is_404_and_a_malformed_code_is_400()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/bookings/by-code/ZZZZZZZZ")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync("/api/bookings/by-code/ABC")).ValidationProblemAsync("code");
        await (await user.Client.GetAsync("/api/bookings/by-code/ABCD-EFG")).ValidationProblemAsync("code");
    }

    [Fact]
    public async Task Pages_neither_skip_nor_repeat_while_bookings_are_added_between_them()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "EUR");
        // 23 rows in one statement share created_at: the id breaks the tie in the keyset.
        await api.ExecAsync("""
            INSERT INTO bookings (trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at)
            SELECT @trip, @user, 'activity', upper(substr(md5(random()::text || g), 1, 8)), '{"activityName":"x","date":"2026-07-02"}',
                   10, 'EUR', TIMESTAMPTZ '2026-07-02 00:00Z'
              FROM generate_series(1, 23) g
            """, ("trip", trip), ("user", user.Id));
        for (var i = 0; i < 4; i++) await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 1m));
        var existing = (await api.ScalarAsync<Guid[]>("SELECT array_agg(id) FROM bookings WHERE trip_id = @t", ("t", trip))).ToHashSet();
        Assert.Equal(27, existing.Count);

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await user.Client.GetAsync($"/api/bookings?limit=5{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}")).JsonAsync();
            var ids = Ids(page);
            Assert.InRange(ids.Count, 1, 5);
            seen.AddRange(ids);
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
            // Someone books while we page.
            await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 2m));
        } while (cursor is not null && pages < 50);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        foreach (var id in existing) Assert.Equal(1, seen.Count(s => s == id));
        Assert.Equal(6, pages); // 27 rows, 5 per page; the new ones sort before the cursor and are not in later pages
    }

    [Fact]
    public async Task Default_limit_is_20_and_the_last_page_has_no_cursor()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id, currency: "EUR");
        await api.ExecAsync("""
            INSERT INTO bookings (trip_id, booking_type, confirmation_code, details, total_amount, currency, starts_at)
            SELECT @trip, 'activity', upper(substr(md5(random()::text || g), 1, 8)), '{"activityName":"x","date":"2026-07-02"}',
                   10, 'EUR', TIMESTAMPTZ '2026-07-02 00:00Z'
              FROM generate_series(1, 21) g
            """, ("trip", trip));
        var first = await (await user.Client.GetAsync("/api/bookings")).JsonAsync();
        Assert.Equal(20, Ids(first).Count);
        var second = await (await user.Client.GetAsync("/api/bookings?cursor=" + Uri.EscapeDataString(first["nextCursor"]!.GetValue<string>()))).JsonAsync();
        Assert.Single(Ids(second));
        Assert.Null(second["nextCursor"]);
    }

    [Fact]
    public async Task Filters_select_by_trip_type_status_and_start_time_and_include_shared_trips()
    {
        var user = await api.NewUserAsync();
        var friend = await api.NewUserAsync();
        var mine = await api.NewTripAsync(user.Id);
        var shared = await api.NewTripAsync(friend.Id);
        await api.AddCollaboratorAsync(shared, user.Id, "viewer");
        var flight = (await user.CreateBookingAsync(mine, BookingTestData.Body("flight"))).Id();         // starts 2026-07-01 09:00Z
        var hotel = (await user.CreateBookingAsync(mine, BookingTestData.Body("hotel"))).Id();           // starts 2026-07-01 00:00Z
        var activity = (await friend.CreateBookingAsync(shared, BookingTestData.Body("activity"))).Id(); // starts 2026-07-02 09:30Z
        var car = (await user.CreateBookingAsync(mine, BookingTestData.Body("car_rental"))).Id();        // starts 2026-07-01 19:00Z
        await (await user.Client.PostAsync($"/api/bookings/{car}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await user.Client.PostAsync($"/api/bookings/{flight}/confirm", new JsonObject { ["supplierReference"] = "R" }.Json()))
            .EnsureStatusAsync(HttpStatusCode.OK);

        async Task<List<Guid>> Query(string q) { var r = await user.Client.GetAsync("/api/bookings" + q); await r.EnsureStatusAsync(HttpStatusCode.OK); return Ids(await r.JsonAsync()); }

        Assert.Equal([car, activity, hotel, flight], await Query(""));
        Assert.Equal([car, hotel, flight], await Query($"?tripId={mine}"));
        Assert.Equal([activity], await Query($"?tripId={shared}"));
        Assert.Equal([hotel], await Query("?type=hotel"));
        Assert.Equal([car], await Query("?type=car_rental"));
        Assert.Equal([flight], await Query("?status=confirmed"));
        Assert.Equal([car], await Query("?status=cancelled"));
        Assert.Equal([activity, hotel], await Query("?status=pending"));
        Assert.Equal([activity], await Query("?from=2026-07-02"));
        Assert.Equal([car, hotel, flight], await Query("?to=2026-07-01"));
        Assert.Equal([car, flight], await Query("?from=" + Uri.EscapeDataString("2026-07-01T09:00:00Z") + "&to=" + Uri.EscapeDataString("2026-07-01T21:00:00+02:00")));
        Assert.Equal([flight], await Query($"?tripId={mine}&type=flight&status=confirmed&from=2026-07-01&to=2026-07-01"));
        Assert.Empty(await Query($"?tripId={Guid.NewGuid()}"));
    }

    [Theory]
    [InlineData("?from=0001-01-01&to=9999-12-31")]
    [InlineData("?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")]
    public async Task Extreme_but_valid_bounds_are_accepted(string query)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/bookings" + query)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("?from=0001-01-01T00:00:00%2B01:00", "from")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?tripId=abc", "tripId")]
    [InlineData("?type=boat", "type")]
    [InlineData("?type=CarRental", "type")]
    [InlineData("?status=1", "status")]
    [InlineData("?from=2026-07-01T10:00:00", "from")]
    [InlineData("?to=July", "to")]
    [InlineData("?from=2026-07-05&to=2026-07-01", "to")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?cursor=YWJj", "cursor")]
    public async Task Bad_list_parameters_are_400_naming_them(string query, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/bookings" + query)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_booking_operation()
    {
        var doc = await (await api.Anonymous().GetAsync("/api/openapi/v1.json")).Content.ReadAsStringAsync();
        foreach (var name in new[] { "CreateBooking", "ListBookings", "GetBooking", "GetBookingByCode", "ConfirmBooking", "CancelBooking" })
            Assert.Contains($"\"operationId\": \"{name}\"", doc);
    }

    [Fact]
    public async Task Field_errors_say_what_is_wrong()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body();
        body["details"]!["foo"] = 1;
        var unknown = await (await user.Client.PostAsync($"/api/trips/{trip}/bookings", body.Json())).ValidationProblemAsync("details.foo");
        Assert.Equal("Unknown field for a flight booking.", unknown["errors"]!["details.foo"]![0]!.GetValue<string>());
        body = BookingTestData.Body();
        body["details"]!["arrivalTime"] = "2026-07-01T13:30:00";
        var noOffset = await (await user.Client.PostAsync($"/api/trips/{trip}/bookings", body.Json())).ValidationProblemAsync("details.arrivalTime");
        Assert.Contains("offset", noOffset["errors"]!["details.arrivalTime"]![0]!.GetValue<string>());
    }

    private sealed class ScriptedCodes(params string[] codes) : ConfirmationCodes
    {
        private int _next;
        public override string Next() => codes[Math.Min(_next++, codes.Length - 1)];
    }

    [Fact]
    public async Task A_confirmation_code_collision_is_retried_with_a_new_code()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var taken = (await user.CreateBookingAsync(trip))["confirmationCode"]!.GetValue<string>();
        DapperSetup.Configure();
        await using var sources = new TravelDataSources(api.Database.Pooled, null);
        var store = new BookingStore(new Db(sources), new ScriptedCodes(taken, taken, "FRESH234"));
        var result = await store.CreateAsync(user.Id, new NewBooking(trip, "activity", """{"activityName":"x","date":"2026-07-02"}""",
            10m, "EUR", null, true, null, null, DateTimeOffset.Parse("2026-07-02T00:00:00Z"), null), null, CancellationToken.None);
        var created = Assert.IsType<BookingCreation.Created>(result);
        Assert.Equal("FRESH234", created.Booking.ConfirmationCode);
        Assert.Equal(2, await api.BookingCountAsync(trip));
    }
}

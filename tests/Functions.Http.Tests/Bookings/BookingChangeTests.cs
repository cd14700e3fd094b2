using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>Confirm and cancel: state rules, concurrent cancels, and idempotent creation.</summary>
public sealed class BookingChangeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Reference(string reference) => new JsonObject { ["supplierReference"] = reference }.Json();

    [Theory]
    [InlineData("flight")]
    [InlineData("hotel")]
    [InlineData("activity")]
    [InlineData("car_rental")]
    public async Task Confirm_moves_pending_to_confirmed_once(string type)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var booking = await user.CreateBookingAsync(trip, BookingTestData.Body(type));
        var response = await user.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", Reference("PNR-XY12Z"));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var confirmed = await response.JsonAsync();
        Assert.Equal("confirmed", confirmed["status"]!.GetValue<string>());
        Assert.Equal("PNR-XY12Z", confirmed["supplierReference"]!.GetValue<string>());
        Assert.NotNull(confirmed["confirmedAt"]);
        Assert.Equal(booking["confirmationCode"]!.GetValue<string>(), confirmed["confirmationCode"]!.GetValue<string>());

        var again = await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", Reference("OTHER")))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("confirmed", again["detail"]!.GetValue<string>());
        Assert.Equal("PNR-XY12Z", await api.ScalarAsync<string>("SELECT supplier_reference FROM bookings WHERE id = @id", ("id", booking.Id())));
    }

    [Fact]
    public async Task Confirming_a_cancelled_booking_is_409()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var booking = await user.CreateBookingAsync(trip);
        await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", Reference("PNR1"))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", await api.ScalarAsync<string>("SELECT status FROM bookings WHERE id = @id", ("id", booking.Id())));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"supplierReference":""}""")]
    [InlineData("""{"supplierReference":12}""")]
    [InlineData("""{"supplierReference":"PNR","note":"x"}""")]
    [InlineData("""{"supplierReference":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""")]
    public async Task Confirm_with_a_bad_body_is_400_and_changes_nothing(string json)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var booking = await user.CreateBookingAsync(trip);
        var response = await user.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", HttpTestExtensions.RawJson(json));
        await response.ValidationProblemAsync(json.Contains("note") ? "note" : "supplierReference");
        Assert.Equal("pending", await api.ScalarAsync<string>("SELECT status FROM bookings WHERE id = @id", ("id", booking.Id())));
    }

    [Fact]
    public async Task Cancel_charges_the_fee_and_a_second_cancel_is_409()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var booking = await user.CreateBookingAsync(trip);
        await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", Reference("PNR1"))).EnsureStatusAsync(HttpStatusCode.OK);
        var response = await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null);
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var cancelled = await response.JsonAsync();
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(25m, cancelled["cancellationFeeCharged"]!.GetValue<decimal>());
        Assert.NotNull(cancelled["cancelledAt"]);

        var again = await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already cancelled", again["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_without_a_fee_charges_zero()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body("hotel");
        body.Remove("cancellationFee");
        body.Remove("cancellationDeadline");
        var booking = await user.CreateBookingAsync(trip, body);
        var cancelled = await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).JsonAsync();
        Assert.Equal(0m, cancelled["cancellationFeeCharged"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Cancel_of_a_non_cancellable_booking_is_409_and_changes_nothing()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body("flight", total: 120m);
        body["cancellable"] = false;
        var booking = await user.CreateBookingAsync(trip, body);
        var problem = await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("not cancellable", problem["detail"]!.GetValue<string>());
        Assert.Equal("pending", await api.ScalarAsync<string>("SELECT status FROM bookings WHERE id = @id", ("id", booking.Id())));
        Assert.Equal(120m, await api.SpentAsync(trip));
    }

    [Fact]
    public async Task Cancel_past_the_deadline_is_409_and_changes_nothing()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body("car_rental", total: 80m);
        body["cancellationDeadline"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:sszzz");
        var booking = await user.CreateBookingAsync(trip, body);
        var problem = await (await user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("deadline", problem["detail"]!.GetValue<string>());
        Assert.Equal("pending", await api.ScalarAsync<string>("SELECT status FROM bookings WHERE id = @id", ("id", booking.Id())));
        Assert.Equal(80m, await api.SpentAsync(trip));
    }

    [Fact]
    public async Task Concurrent_cancels_exactly_one_wins_and_the_fee_is_charged_once()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var booking = await user.CreateBookingAsync(trip, BookingTestData.Body("flight", total: 300m));
        await user.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 200m));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => user.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(25m, await api.ScalarAsync<decimal>("SELECT cancellation_fee_charged FROM bookings WHERE id = @id", ("id", booking.Id())));
        Assert.Equal(200m, await api.SpentAsync(trip));
        Assert.Equal(await api.SumOfLiveBookingsAsync(trip), await api.SpentAsync(trip));
    }

    private static HttpRequestMessage Post(Guid trip, JsonNode body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/bookings") { Content = body.Json() };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Same_key_and_same_body_replays_the_same_booking()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var key = "order-" + Guid.NewGuid();
        var first = await user.Client.SendAsync(Post(trip, BookingTestData.Body(), key));
        await first.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var firstBody = await first.JsonAsync();

        // Same booking, written differently: members reordered, 850.5 for 850.50.
        var reordered = new JsonObject();
        foreach (var (k, v) in BookingTestData.Body().Reverse()) reordered[k] = v?.DeepClone();
        reordered["totalAmount"] = 850.5m;
        var replay = await user.Client.SendAsync(Post(trip, reordered, key));
        await replay.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.True(JsonNode.DeepEquals(firstBody, await replay.JsonAsync()));

        Assert.Equal(1, await api.BookingCountAsync(trip));
        Assert.Equal(850.50m, await api.SpentAsync(trip));
    }

    [Fact]
    public async Task Same_key_with_a_different_body_or_trip_is_422_and_writes_nothing()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var otherTrip = await api.NewTripAsync(user.Id);
        var key = "order-" + Guid.NewGuid();
        await (await user.Client.SendAsync(Post(trip, BookingTestData.Body(), key))).EnsureStatusAsync(HttpStatusCode.Created);
        await (await user.Client.SendAsync(Post(trip, BookingTestData.Body(total: 999m), key))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await user.Client.SendAsync(Post(otherTrip, BookingTestData.Body(), key))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await api.BookingCountAsync(trip));
        Assert.Equal(0, await api.BookingCountAsync(otherTrip));
        Assert.Equal(1, await api.KeyCountAsync(user.Id));
    }

    [Fact]
    public async Task Keys_belong_to_their_user()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var aliceTrip = await api.NewTripAsync(alice.Id);
        var bobTrip = await api.NewTripAsync(bob.Id);
        const string key = "shared-looking-key";
        var a = await (await alice.Client.SendAsync(Post(aliceTrip, BookingTestData.Body(), key))).JsonAsync();
        var b = await (await bob.Client.SendAsync(Post(bobTrip, BookingTestData.Body(), key))).JsonAsync();
        Assert.NotEqual(a.Id(), b.Id());
        Assert.Equal(1, await api.BookingCountAsync(bobTrip));
    }

    [Fact]
    public async Task Expired_key_no_longer_replays()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var key = "old-" + Guid.NewGuid();
        var first = await (await user.Client.SendAsync(Post(trip, BookingTestData.Body(), key))).JsonAsync();
        await api.ExecAsync("UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = @k", ("k", key));
        var second = await user.Client.SendAsync(Post(trip, BookingTestData.Body(total: 10m), key));
        await second.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.NotEqual(first.Id(), (await second.JsonAsync()).Id());
        Assert.Equal(2, await api.BookingCountAsync(trip));
        Assert.Equal(1, await api.KeyCountAsync(user.Id));
    }

    [Fact]
    public async Task Concurrent_posts_with_the_same_key_create_exactly_one_booking()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var key = "race-" + Guid.NewGuid();
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => user.Client.SendAsync(Post(trip, BookingTestData.Body(), key))));
        foreach (var r in responses) await r.EnsureStatusAsync(HttpStatusCode.Created);
        var ids = new HashSet<Guid>();
        foreach (var r in responses) ids.Add((await r.JsonAsync()).Id());
        Assert.Single(ids);
        Assert.Equal(4, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(1, await api.BookingCountAsync(trip));
        Assert.Equal(1, await api.KeyCountAsync(user.Id));
        Assert.Equal(850.50m, await api.SpentAsync(trip));
    }
}

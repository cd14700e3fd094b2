using System.Net;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>Issue 13 item 9: a flight number is taken as clients write it and stored in one spelling.</summary>
public sealed class FlightNumberTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("TP210")]
    [InlineData("TP 210")]
    [InlineData("210")]
    [InlineData(" tp210 ")]
    [InlineData("TP0210")]
    public async Task A_flight_number_as_clients_write_it_is_stored_as_airline_and_number(string written)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body();
        body["details"]!["flightNumber"] = written;
        var created = await user.CreateBookingAsync(trip, body);
        Assert.Equal("TP210", created["details"]!["flightNumber"]!.GetValue<string>());
        Assert.Equal("TP210", await api.ScalarAsync<string>("SELECT details ->> 'flightNumber' FROM bookings WHERE id = @id", ("id", created.Id())));
    }

    [Theory]
    [InlineData("IB210")]   // another airline's prefix
    [InlineData("TP-210")]
    [InlineData("TP21000")]
    [InlineData("TP")]
    public async Task Anything_else_is_400_naming_the_flight_number(string written)
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var body = BookingTestData.Body();
        body["details"]!["flightNumber"] = written;
        await (await user.Client.PostAsync($"/api/trips/{trip}/bookings", body.Json())).ValidationProblemAsync("details.flightNumber");
        Assert.Equal(0, await api.BookingCountAsync(trip));
    }

    [Fact]
    public async Task The_same_flight_written_two_ways_is_the_same_idempotent_request()
    {
        var user = await api.NewUserAsync();
        var trip = await api.NewTripAsync(user.Id);
        var key = Guid.NewGuid().ToString();
        foreach (var written in new[] { "210", "TP 210" })
        {
            var body = BookingTestData.Body();
            body["details"]!["flightNumber"] = written;
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/bookings") { Content = body.Json() };
            request.Headers.Add("Idempotency-Key", key);
            await (await user.Client.SendAsync(request)).EnsureStatusAsync(HttpStatusCode.Created);
        }
        Assert.Equal(1, await api.BookingCountAsync(trip));
    }
}

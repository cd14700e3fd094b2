using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Places;

/// <summary>GET /api/trips/{tripId}/booking-links: the links agents import for a trip, for its members only.</summary>
public sealed class PlacesTripLinksTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<object> LinkAsync(Guid trip, string provider, decimal price) => new
    {
        linkableType = "trip", linkableId = trip, provider, bookingUrl = $"https://{provider}.example/trip", priceFrom = new { amount = price, currency = "EUR" },
        expiresAt = DateTimeOffset.Parse(await api.AdminScalarAsync<string>("SELECT to_char(now() + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")),
    };

    [Fact]
    public async Task The_owner_and_collaborators_see_a_trips_unexpired_links_and_nobody_else_does()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var owner = await api.NewUserAsync();
        var friend = await api.NewUserAsync();
        var invitee = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await owner.ShareAsync(trip, friend, "viewer");
        // Invited, not yet accepted: not a member.
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{trip}/collaborators", new { email = invitee.Email, role = "editor" }))
            .EnsureStatusAsync(HttpStatusCode.Created);

        await agent.PostAsync("/api/places/booking-links", await LinkAsync(trip, "viator", 120m), HttpStatusCode.Created);
        await agent.PostAsync("/api/places/booking-links", await LinkAsync(trip, "booking_com", 300m), HttpStatusCode.Created);
        var expired = (await agent.PostAsync("/api/places/booking-links", await LinkAsync(trip, "expedia", 90m), HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        await api.AdminExecAsync("UPDATE booking_links SET cached_at = now() - interval '2 days', expires_at = now() - interval '1 minute' WHERE id = @expired",
            new { expired });
        // Another trip's link never shows here.
        var otherTrip = (await stranger.CreateTripAsync())["id"]!.GetValue<Guid>();
        await agent.PostAsync("/api/places/booking-links", await LinkAsync(otherTrip, "viator", 1m), HttpStatusCode.Created);

        foreach (var member in new[] { owner, friend })
        {
            var response = await member.Client.GetAsync($"/api/trips/{trip}/booking-links");
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            var items = (await response.JsonAsync())["items"]!.AsArray();
            Assert.Equal(["booking_com", "viator"], items.Select(l => l!["provider"]!.GetValue<string>()));
            Assert.All(items, l => Assert.Equal(("trip", trip), (l!["linkableType"]!.GetValue<string>(), l["linkableId"]!.GetValue<Guid>())));
            Assert.Equal(120m, items[1]!["priceFrom"]!["amount"]!.GetValue<decimal>());
        }

        foreach (var outsider in new[] { stranger, invitee })
            await (await outsider.Client.GetAsync($"/api/trips/{trip}/booking-links")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.GetAsync($"/api/trips/{Guid.NewGuid()}/booking-links")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.GetAsync("/api/trips/not-a-uuid/booking-links")).ValidationProblemAsync("tripId");
        await (await api.Anonymous().GetAsync($"/api/trips/{trip}/booking-links")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        // Agents write trip links; reading them is for the trip's people (a user token), as every trip route is.
        await (await agent.Client.GetAsync($"/api/trips/{trip}/booking-links")).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        // A trip with no links: an empty list for its owner.
        var bare = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        Assert.Empty((await (await owner.Client.GetAsync($"/api/trips/{bare}/booking-links")).JsonAsync())["items"]!.AsArray());
    }
}

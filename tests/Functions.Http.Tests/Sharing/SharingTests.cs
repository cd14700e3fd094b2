using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Itineraries;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Sharing;

/// <summary>Read-only share links: the owner creates and revokes them; anyone with the token reads the plan, never the people.</summary>
public sealed class SharingTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<(TestUser Owner, Guid TripId)> SharedTripAsync()
    {
        var owner = await api.NewUserAsync(firstName: "Olivia");
        var trip = await owner.CreateTripAsync();
        return (owner, trip["id"]!.GetValue<Guid>());
    }

    private static async Task<JsonNode> CreateLinkAsync(TestUser owner, Guid tripId, string? label = null)
    {
        var response = await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/share-links", new { label });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        return await response.JsonAsync();
    }

    [Fact]
    public async Task Anyone_with_the_link_reads_the_trip_and_its_selected_itinerary_without_logging_in()
    {
        var (owner, tripId) = await SharedTripAsync();
        var editor = await api.NewUserAsync(firstName: "Edgar");
        await owner.ShareAsync(tripId, editor, "editor");
        await owner.CreateItineraryAsync(tripId);
        var link = await CreateLinkAsync(owner, tripId, "family");
        var token = link["token"]!.GetValue<string>();
        Assert.Equal($"/api/shared/{token}", link["url"]!.GetValue<string>());

        var response = await api.Anonymous().GetAsync($"/api/shared/{token}");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var shared = await response.JsonAsync();
        Assert.Equal("Lisbon long weekend", shared["title"]!.GetValue<string>());
        Assert.Equal("2027-05-01", shared["startDate"]!.GetValue<string>());
        var days = shared["itinerary"]!["days"]!.AsArray();
        Assert.Equal(3, days.Count);
        Assert.Equal(["A", "B", "C"], days[0]!["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()).ToList());
        Assert.Equal(10m, days[0]!["items"]![0]!["costPerPerson"]!.GetValue<decimal>());

        // Nothing about the people on the trip, nor its money.
        var text = shared.ToJsonString();
        foreach (var personal in new[] { owner.Email, editor.Email, owner.Id.ToString(), editor.Id.ToString(), "Olivia", "Edgar" })
            Assert.DoesNotContain(personal, text);
        foreach (var member in new[] { "ownerId", "collaborators", "budget", "spentAmount", "spending", "bookingId", "userRating", "myRole" })
            Assert.DoesNotContain($"\"{member}\"", text);
    }

    [Fact]
    public async Task A_trip_without_an_itinerary_is_shared_with_none()
    {
        var (owner, tripId) = await SharedTripAsync();
        var token = (await CreateLinkAsync(owner, tripId))["token"]!.GetValue<string>();
        var shared = await (await api.Anonymous().GetAsync($"/api/shared/{token}")).JsonAsync();
        Assert.Null(shared["itinerary"]);
    }

    [Fact]
    public async Task A_revoked_link_stops_working_at_once_and_other_links_go_on()
    {
        var (owner, tripId) = await SharedTripAsync();
        var first = await CreateLinkAsync(owner, tripId, "blog");
        var second = await CreateLinkAsync(owner, tripId);
        var linkId = first["id"]!.GetValue<Guid>();
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}/share-links/{linkId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}/share-links/{linkId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await api.Anonymous().GetAsync($"/api/shared/{first["token"]}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await api.Anonymous().GetAsync($"/api/shared/{second["token"]}")).EnsureStatusAsync(HttpStatusCode.OK);

        var list = await (await owner.Client.GetAsync($"/api/trips/{tripId}/share-links")).JsonAsync();
        var items = list["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.DoesNotContain("token", list.ToJsonString());
        var revoked = items.Single(i => i!["id"]!.GetValue<Guid>() == linkId)!;
        Assert.True(revoked["revoked"]!.GetValue<bool>());
        Assert.Equal("blog", revoked["label"]!.GetValue<string>());
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}/share-links/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_the_owner_manages_links_and_the_database_holds_no_token()
    {
        var (owner, tripId) = await SharedTripAsync();
        var editor = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        await owner.ShareAsync(tripId, editor, "editor");
        var link = await CreateLinkAsync(owner, tripId);

        await (await editor.Client.PostAsJsonAsync($"/api/trips/{tripId}/share-links", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await editor.Client.DeleteAsync($"/api/trips/{tripId}/share-links/{link["id"]}")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Empty((await (await editor.Client.GetAsync($"/api/trips/{tripId}/share-links")).JsonAsync())["items"]!.AsArray());
        await (await stranger.Client.PostAsJsonAsync($"/api/trips/{tripId}/share-links", new { })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.GetAsync($"/api/trips/{tripId}/share-links")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/share-links", new { label = new string('x', 101) })).ValidationProblemAsync("label");

        var token = link["token"]!.GetValue<string>();
        Assert.Equal(0L, await TravelFunctions.Tests.Bookings.BookingTestData.ScalarAsync<long>(api,
            "SELECT count(*) FROM trip_share_links WHERE position(convert_to(@t, 'UTF8') IN token_hash) > 0 OR label = @t", ("t", token)));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Any_token_that_is_not_a_live_link_is_the_same_404(string token) =>
        await (await api.Anonymous().GetAsync($"/api/shared/{token}")).ProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task Deleting_the_trip_ends_its_links()
    {
        var (owner, tripId) = await SharedTripAsync();
        var token = (await CreateLinkAsync(owner, tripId))["token"]!.GetValue<string>();
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await api.Anonymous().GetAsync($"/api/shared/{token}")).ProblemAsync(HttpStatusCode.NotFound);
    }
}

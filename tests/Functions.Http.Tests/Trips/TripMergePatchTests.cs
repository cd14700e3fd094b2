using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Bookings;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Trips;

/// <summary>
/// PATCH /api/trips/{id} as a JSON Merge Patch (RFC 7396): every member can be set and left out; the optional ones are
/// cleared by null; the required ones refuse null with a 400 and change nothing.
/// </summary>
public sealed class TripMergePatchTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent MergePatch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    private async Task<(TestUser Owner, Guid Id, JsonObject Before)> NewTripAsync()
    {
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).AsObject();
        return (owner, trip["id"]!.GetValue<Guid>(), trip);
    }

    /// <summary>The trip without the members a change may touch: what must stay equal.</summary>
    private static string Rest(JsonNode trip, params string[] changed)
    {
        var copy = trip.DeepClone().AsObject();
        foreach (var member in changed.Concat(["version", "updatedAt"])) copy.Remove(member);
        return copy.ToJsonString();
    }

    [Fact]
    public async Task An_empty_patch_leaves_every_member_as_it_was()
    {
        var (owner, id, before) = await NewTripAsync();
        var response = await owner.Client.PatchAsync($"/api/trips/{id}", MergePatch("{}"));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(Rest(before), Rest(await response.JsonAsync()));
    }

    [Theory]
    [InlineData("title", "\"Porto instead\"")]
    [InlineData("description", "\"Port wine\"")]
    [InlineData("tripType", "\"business\"")]
    [InlineData("status", "\"booked\"")]
    [InlineData("startDate", "\"2027-04-30\"")]
    [InlineData("endDate", "\"2027-05-06\"")]
    [InlineData("originCity", "\"Lyon\"")]
    [InlineData("originCountry", "\"BE\"")]
    [InlineData("travelerCount", "3")]
    [InlineData("budget", """{"amount":999.99,"currency":"EUR"}""")]
    [InlineData("destinations", """[{"city":"Porto","country":"PT","arrivalDate":"2027-05-02","departureDate":"2027-05-03"}]""")]
    public async Task Each_member_is_set_and_the_others_left_as_they_were(string member, string value)
    {
        var (owner, id, before) = await NewTripAsync();
        var response = await owner.Client.PatchAsync($"/api/trips/{id}", MergePatch($"{{\"{member}\":{value}}}"));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await response.JsonAsync();

        var expected = JsonNode.Parse(value)!;
        if (member == "destinations") expected[0]!["departureDate"] = "2027-05-03";
        Assert.True(JsonNode.DeepEquals(expected, after[member]), $"{member}: {after[member]?.ToJsonString()}");
        Assert.Equal(Rest(before, member), Rest(after, member));
    }

    [Theory]
    [InlineData("description")]
    [InlineData("originCity")]
    [InlineData("originCountry")]
    [InlineData("budget")]
    [InlineData("destinations")]
    public async Task Null_clears_an_optional_member(string member)
    {
        var (owner, id, before) = await NewTripAsync();
        var response = await owner.Client.PatchAsync($"/api/trips/{id}", MergePatch($"{{\"{member}\":null}}"));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await response.JsonAsync();

        if (member == "destinations") Assert.Empty(after[member]!.AsArray());
        else Assert.Null(after[member]);
        // A budget takes its currency with it while no booking has fixed the trip's currency.
        var touched = member == "budget" ? new[] { member, "currency" } : [member];
        Assert.Equal(Rest(before, touched), Rest(after, touched));
        if (member == "budget") Assert.Null(after["currency"]);
        // What the answer says is what is stored.
        var read = await (await owner.Client.GetAsync($"/api/trips/{id}")).JsonAsync();
        Assert.Equal(Rest(after), Rest(read));
    }

    [Theory]
    [InlineData("title")]
    [InlineData("tripType")]
    [InlineData("status")]
    [InlineData("startDate")]
    [InlineData("endDate")]
    [InlineData("travelerCount")]
    public async Task Null_on_a_required_member_is_400_and_changes_nothing(string member)
    {
        var (owner, id, before) = await NewTripAsync();
        var body = await (await owner.Client.PatchAsync($"/api/trips/{id}", MergePatch($"{{\"{member}\":null,\"description\":\"changed\"}}")))
            .ValidationProblemAsync(member);
        Assert.Contains("cannot be cleared", body["errors"]!.ToJsonString());

        var read = await (await owner.Client.GetAsync($"/api/trips/{id}")).JsonAsync();
        Assert.Equal(Rest(before), Rest(read));
        Assert.Equal(before["version"]!.GetValue<int>(), read["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Application_json_means_the_same_merge_patch()
    {
        var (owner, id, _) = await NewTripAsync();
        var response = await owner.Client.PatchAsync($"/api/trips/{id}", TestJson("""{"description":null}"""));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Null((await response.JsonAsync())["description"]);
    }

    [Fact]
    public async Task A_budget_cannot_take_away_a_currency_that_bookings_fixed()
    {
        var owner = await api.NewUserAsync();
        var id = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await owner.CreateBookingAsync(id, BookingTestData.Body("hotel"));

        var response = await owner.Client.PatchAsync($"/api/trips/{id}", MergePatch("""{"budget":null}"""));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await response.JsonAsync();
        Assert.Null(after["budget"]);
        Assert.Equal("EUR", after["currency"]!.GetValue<string>());
    }

    private static StringContent TestJson(string json) => HttpTestExtensions.RawJson(json);
}

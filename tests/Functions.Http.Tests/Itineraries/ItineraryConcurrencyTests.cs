using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;
using static TravelFunctions.Tests.Itineraries.ItineraryTestData;

namespace TravelFunctions.Tests.Itineraries;

/// <summary>
/// Real parallel requests against the app (each its own PgBouncer transaction): of writers holding the same ETag exactly
/// one wins and the rest get 412 with nothing written; writers without If-Match all land, and every day stays 1..n.
/// Requests are released together by a barrier; what is asserted is the outcome, never a timing.
/// </summary>
public sealed class ItineraryConcurrencyTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const int Writers = 8;

    private async Task<(TestUser Owner, Guid Trip, JsonNode Version, string Path)> NewVersionAsync()
    {
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        var version = await owner.CreateItineraryAsync(trip);
        return (owner, trip, version, Path(trip, version));
    }

    /// <summary>Starts every request, then opens one gate they all wait on, so they reach the app together.</summary>
    private static async Task<HttpResponseMessage[]> TogetherAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            return await send(i);
        }).ToList();
        gate.SetResult();
        return await Task.WhenAll(requests);
    }

    [Fact]
    public async Task Of_writers_racing_with_the_same_etag_exactly_one_wins_and_the_others_get_412()
    {
        var (owner, _, version, path) = await NewVersionAsync();
        var revision = version.Revision();

        var responses = await TogetherAsync(Writers, i => owner.Client.SendAsync(Request(HttpMethod.Post, path + "/items",
            Json(new JsonObject { ["dayNumber"] = 1, ["position"] = 1, ["itemType"] = "meal", ["title"] = $"Racer {i}" }), revision)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(Writers - 1, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var after = await (await owner.Client.GetAsync(path)).JsonAsync();
        Assert.Equal(4, after.Titles(1).Length);
        Assert.Single(after.Titles(1), t => t.StartsWith("Racer", StringComparison.Ordinal));
        await api.AssertDenseAsync(after);

        // The same for moves and patches of different items: one wins per ETag.
        var items = after.Days()[0]!["items"]!.AsArray().Select(i => i!.Id()).ToArray();
        var moves = await TogetherAsync(items.Length, i => owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/items/{items[i]}/move",
            Json(new JsonObject { ["toDayNumber"] = 2, ["position"] = 1 }), after.Revision())));
        Assert.Equal(1, moves.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(items.Length - 1, moves.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var moved = await (await owner.Client.GetAsync(path)).JsonAsync();
        Assert.Equal(3, moved.Titles(1).Length);
        Assert.Equal(3, moved.Titles(2).Length);
        await api.AssertDenseAsync(moved);
        Assert.Equal(moved.Revision(), (await moves.Single(r => r.StatusCode == HttpStatusCode.OK).JsonAsync()).Revision());
    }

    [Fact]
    public async Task Parallel_adds_moves_delays_and_removes_without_if_match_all_land_and_leave_no_gap_or_duplicate()
    {
        var (owner, _, version, path) = await NewVersionAsync();

        // Everyone inserts at position 1 of day 1 at once.
        var adds = await TogetherAsync(Writers, i => owner.Client.PostAsync(path + "/items",
            Json(new JsonObject { ["dayNumber"] = 1, ["position"] = 1, ["itemType"] = "meal", ["title"] = $"Add {i}" })));
        Assert.All(adds, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var after = await (await owner.Client.GetAsync(path)).JsonAsync();
        Assert.Equal(3 + Writers, after.Titles(1).Length);
        await api.AssertDenseAsync(after);

        // Every item of day 1 moves to day 2 or day 3 at position 1, at once, while others are removed and delayed.
        var day1 = after.Days()[0]!["items"]!.AsArray().Select(i => i!.Id()).ToArray();
        var mixed = await TogetherAsync(day1.Length, i => (i % 4) switch
        {
            0 => owner.Client.DeleteAsync($"{path}/items/{day1[i]}"),
            1 => owner.Client.PostAsync($"{path}/items/{day1[i]}/delay", Json(new JsonObject { ["toDayNumber"] = 3, ["position"] = 1 })),
            _ => owner.Client.PostAsync($"{path}/items/{day1[i]}/move", Json(new JsonObject { ["toDayNumber"] = 2 + i % 2, ["position"] = 1 })),
        });
        Assert.All(mixed, r => Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage?.RequestUri}: {(int)r.StatusCode}"));
        var final = await (await owner.Client.GetAsync(path)).JsonAsync();
        var removed = Enumerable.Range(0, day1.Length).Count(i => i % 4 == 0);
        var delayed = Enumerable.Range(0, day1.Length).Count(i => i % 4 == 1);
        Assert.Equal(delayed, final.Titles(1).Length);
        Assert.Equal(3 + Writers + 2 /* day 2's D and E */ - removed + delayed,
            final.Days().Sum(d => d!["items"]!.AsArray().Count));
        await api.AssertDenseAsync(final);
    }

    [Fact]
    public async Task Racing_selections_leave_exactly_one_selected_version()
    {
        var (owner, trip, v1, _) = await NewVersionAsync();
        var versions = new List<JsonNode> { v1 };
        for (var i = 0; i < 3; i++) versions.Add(await owner.CreateItineraryAsync(trip));

        var selects = await TogetherAsync(versions.Count * 2, i => owner.Client.PostAsync(Path(trip, versions[i % versions.Count]) + "/select", null));
        Assert.All(selects, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip AND is_selected", new { trip }));

        // Versions created at once get distinct numbers and the first stays selected unless one asks.
        var creates = await TogetherAsync(Writers, _ => owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(Document())));
        Assert.All(creates, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(4L + Writers, await api.AdminScalarAsync<long>("SELECT count(DISTINCT number) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip AND is_selected", new { trip }));
    }
}

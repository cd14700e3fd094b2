using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Places;
using TravelFunctions.Tests.Trips;
using Xunit;
using static TravelFunctions.Tests.Itineraries.ItineraryTestData;

namespace TravelFunctions.Tests.Itineraries;

/// <summary>
/// Issue 15's side of itineraries (items pointing at catalog attractions, booking links to items) and the GDPR export
/// and purge of a user's itineraries.
/// </summary>
public sealed class ItineraryPlacesAndGdprTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task An_item_points_at_a_catalog_attraction_reads_its_name_and_location_and_keeps_itself_when_it_is_deleted()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Lisboa", 38.7223, -9.1393, "Europe/Lisbon");
        var tower = await agent.NewAttractionAsync(city, "Torre de Belém", 38.6916, -9.2160, "landmark");
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();

        var doc = Document();
        ((JsonArray)doc["days"]![2]!["items"]!).Add(Item("Belém tower", type: "attraction", cost: 10m, attractionId: tower));
        var version = await owner.CreateItineraryAsync(trip, doc);
        var item = version.ItemNamed("Belém tower");
        Assert.Equal(tower, item["attractionId"]!.GetValue<Guid>());
        Assert.Equal("Torre de Belém", item["attraction"]!["name"]!.GetValue<string>());
        Assert.Equal(38.6916, item["attraction"]!["lat"]!.GetValue<double>(), 4);
        Assert.Equal(-9.2160, item["attraction"]!["lon"]!.GetValue<double>(), 4);
        var path = Path(trip, version);

        // Unknown attractions and attractions on items of another type are 400s naming the member; nothing is written.
        var unknown = Guid.NewGuid();
        await (await owner.Client.PostAsync(path + "/items", Json(new JsonObject
        {
            ["dayNumber"] = 1, ["itemType"] = "attraction", ["title"] = "Nowhere", ["attractionId"] = unknown.ToString(),
        }))).ValidationProblemAsync("attractionId");
        await (await owner.Client.PostAsync(path + "/items", Json(new JsonObject
        {
            ["dayNumber"] = 1, ["itemType"] = "meal", ["title"] = "Lunch at the tower", ["attractionId"] = tower.ToString(),
        }))).ValidationProblemAsync("attractionId");
        var itemPath = $"{path}/items/{item.Id()}";
        await (await owner.Client.PatchAsync(itemPath, MergePatch("""{"itemType":"meal"}"""))).ValidationProblemAsync("itemType");
        await (await owner.Client.PatchAsync(itemPath, MergePatch($$"""{"attractionId":"{{unknown}}"}"""))).ValidationProblemAsync("attractionId");
        Assert.Equal(version.ToJsonString(), (await (await owner.Client.GetAsync(path)).JsonAsync()).ToJsonString());

        // A meal item may point at one after becoming an attraction item (both in one patch); null clears the pointer.
        var d = version.ItemNamed("D");
        var pointed = await (await owner.Client.PatchAsync($"{path}/items/{d.Id()}",
            MergePatch($$"""{"itemType":"attraction","attractionId":"{{tower}}"}"""))).JsonAsync();
        Assert.Equal("Torre de Belém", pointed.ItemNamed("D")["attraction"]!["name"]!.GetValue<string>());
        var cleared = await (await owner.Client.PatchAsync($"{path}/items/{d.Id()}", MergePatch("""{"attractionId":null}"""))).JsonAsync();
        Assert.Null(cleared.ItemNamed("D")["attraction"]);
        Assert.Null(cleared.ItemNamed("D")["attractionId"]);

        // The catalog drops the attraction (as its maintenance would): the item stays, its pointer is cleared (ON DELETE SET NULL).
        await api.AdminExecAsync("DELETE FROM attractions WHERE id = @tower", new { tower });
        var after = await (await owner.Client.GetAsync(path)).JsonAsync();
        var kept = after.ItemNamed("Belém tower");
        Assert.Null(kept["attractionId"]);
        Assert.Null(kept["attraction"]);
        Assert.Equal("attraction", kept["itemType"]!.GetValue<string>());
        Assert.Equal(10m, kept["costPerPerson"]!["amount"]!.GetValue<decimal>());
        await api.AssertDenseAsync(after);
    }

    [Fact]
    public async Task Booking_links_to_items_need_a_real_item_go_with_it_and_show_only_to_readers_of_its_trip()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var owner = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        var version = await owner.CreateItineraryAsync(trip);
        var item = version.ItemNamed("A").Id();
        var expires = DateTimeOffset.Parse(await api.AdminScalarAsync<string>("SELECT to_char(now() + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"));
        object Link(Guid id) => new { linkableType = "itinerary_item", linkableId = id, provider = "viator", bookingUrl = "https://viator.example/a", expiresAt = expires };

        await (await agent.Client.PostAsJsonAsync("/api/places/booking-links", Link(item))).EnsureStatusAsync(HttpStatusCode.Created);
        var missing = Guid.NewGuid();
        await (await agent.Client.PostAsJsonAsync("/api/places/booking-links", Link(missing))).ValidationProblemAsync("linkableId");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM booking_links WHERE itinerary_item_id = @missing", new { missing }));

        // Row-level security: a user's request sees an item's links only when it may read the item's trip.
        Assert.Equal(1L, await CountLinksAsUserAsync(owner.Id, item));
        Assert.Equal(0L, await CountLinksAsUserAsync(stranger.Id, item));

        await (await owner.Client.DeleteAsync($"{Path(trip, version)}/items/{item}")).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM booking_links WHERE itinerary_item_id = @item", new { item }));
    }

    /// <summary>As the app's role through PgBouncer, in a transaction whose app.user_id is the user (as every request's is).</summary>
    private async Task<long> CountLinksAsUserAsync(Guid userId, Guid item)
    {
        await using var conn = new Npgsql.NpgsqlConnection(api.Database.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var set = new Npgsql.NpgsqlCommand("SELECT set_config('app.user_id', @id, true)", conn, tx);
        set.Parameters.AddWithValue("id", userId.ToString());
        await set.ExecuteNonQueryAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM booking_links WHERE itinerary_item_id = @item", conn, tx);
        count.Parameters.AddWithValue("item", item);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_export_holds_the_itineraries_of_the_users_trips_and_the_purge_removes_them()
    {
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        var trip = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        var othersTrip = (await other.CreateTripAsync())["id"]!.GetValue<Guid>();
        var version = await user.CreateItineraryAsync(trip);
        var othersVersion = await other.CreateItineraryAsync(othersTrip);

        var export = await (await user.Client.GetAsync("/api/users/me/export")).JsonAsync();
        var itineraries = export["trips"]![0]!["itineraries"]!.AsArray();
        Assert.Equal(version.Id(), itineraries.Single()!["id"]!.GetValue<Guid>());
        Assert.Equal(3, itineraries[0]!["days"]!.AsArray().Count);
        Assert.Equal(["A", "B", "C"], itineraries[0]!["days"]![0]!["items"]!.AsArray().Select(i => i!["title"]!.GetValue<string>()));
        Assert.DoesNotContain(othersVersion.Id().ToString(), export.ToJsonString());

        // The purge (maintenance hard-deletes the user) cascades from the trip through versions, days and items.
        await api.AdminExecAsync("DELETE FROM users WHERE id = @id", new { id = user.Id });
        foreach (var table in new[] { "itinerary_versions", "itinerary_days", "itinerary_items" })
        {
            Assert.Equal(0L, await api.AdminScalarAsync<long>($"SELECT count(*) FROM {table} WHERE trip_id = @trip", new { trip }));
            Assert.True(await api.AdminScalarAsync<long>($"SELECT count(*) FROM {table} WHERE trip_id = @othersTrip", new { othersTrip }) > 0);
        }
    }
}

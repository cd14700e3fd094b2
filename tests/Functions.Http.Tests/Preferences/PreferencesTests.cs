using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Preferences;

/// <summary>A trip's preferences and interests, replaced as one document with optimistic concurrency, as the trip's members may.</summary>
public sealed class PreferencesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object Full(string pace = "relaxed") => new
    {
        dietaryRestrictions = new[] { "vegetarian", "gluten_free" },
        accessibilityNeeds = new[] { "step_free_access" },
        customRestrictions = "  No early flights.  ",
        accommodationTypes = new[] { "apartment", "bed_and_breakfast" },
        accommodationAmenities = new[] { "wifi", "air_conditioning" },
        preferredActivityTimes = new[] { "morning", "evening" },
        avoidCrowds = true,
        preferOffbeat = true,
        pace,
        interests = new[] { new { category = "museums", priority = 9 }, new { category = "culture_history", priority = 7 }, new { category = "street_food", priority = 10 } },
    };

    private async Task<(TestUser Owner, Guid TripId)> NewTripAsync()
    {
        var owner = await api.NewUserAsync();
        var trip = await owner.CreateTripAsync();
        return (owner, trip["id"]!.GetValue<Guid>());
    }

    private static HttpRequestMessage Put(Guid tripId, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/trips/{tripId}/preferences") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    [Fact]
    public async Task A_new_trip_has_empty_preferences_at_version_0()
    {
        var (owner, tripId) = await NewTripAsync();
        var response = await owner.Client.GetAsync($"/api/trips/{tripId}/preferences");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("\"0\"", response.Headers.ETag!.Tag);
        var body = await response.JsonAsync();
        Assert.Empty(body["dietaryRestrictions"]!.AsArray());
        Assert.Empty(body["interests"]!.AsArray());
        Assert.False(body["avoidCrowds"]!.GetValue<bool>());
        Assert.Null(body["pace"]);
        Assert.Equal(0, body["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Saving_replaces_the_whole_document_and_reading_gives_it_back()
    {
        var (owner, tripId) = await NewTripAsync();
        var saved = await owner.Client.SendAsync(Put(tripId, Full(), ifMatch: "\"0\""));
        await saved.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("\"1\"", saved.Headers.ETag!.Tag);

        var body = await (await owner.Client.GetAsync($"/api/trips/{tripId}/preferences")).JsonAsync();
        Assert.Equal(["gluten_free", "vegetarian"], Strings(body["dietaryRestrictions"]));
        Assert.Equal(["step_free_access"], Strings(body["accessibilityNeeds"]));
        Assert.Equal("No early flights.", body["customRestrictions"]!.GetValue<string>());
        Assert.Equal(["apartment", "bed_and_breakfast"], Strings(body["accommodationTypes"]));
        Assert.Equal(["wifi", "air_conditioning"], Strings(body["accommodationAmenities"]));
        Assert.Equal(["morning", "evening"], Strings(body["preferredActivityTimes"]));
        Assert.True(body["avoidCrowds"]!.GetValue<bool>());
        Assert.True(body["preferOffbeat"]!.GetValue<bool>());
        Assert.Equal("relaxed", body["pace"]!.GetValue<string>());
        // Most important first.
        Assert.Equal(["street_food:10", "museums:9", "culture_history:7"],
            body["interests"]!.AsArray().Select(i => $"{i!["category"]}:{i["priority"]}").ToList());
        Assert.Equal(1, body["version"]!.GetValue<int>());

        // A second save replaces everything: what it leaves out is gone.
        var replaced = await owner.Client.SendAsync(Put(tripId, new { pace = "fast", interests = new[] { new { category = "hiking", priority = 5 } } }, "\"1\""));
        await replaced.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await replaced.JsonAsync();
        Assert.Empty(after["dietaryRestrictions"]!.AsArray());
        Assert.Empty(after["accessibilityNeeds"]!.AsArray());
        Assert.Null(after["customRestrictions"]);
        Assert.False(after["avoidCrowds"]!.GetValue<bool>());
        Assert.Equal("fast", after["pace"]!.GetValue<string>());
        Assert.Equal(["hiking:5"], after["interests"]!.AsArray().Select(i => $"{i!["category"]}:{i["priority"]}").ToList());
        Assert.Equal("\"2\"", replaced.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_changes_nothing()
    {
        var (owner, tripId) = await NewTripAsync();
        await (await owner.Client.SendAsync(Put(tripId, Full()))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await owner.Client.SendAsync(Put(tripId, Full("fast"), "\"0\""))).ProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await owner.Client.SendAsync(Put(tripId, Full("fast"), "\"7\""))).ProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await owner.Client.SendAsync(Put(tripId, Full("fast"), "not-a-version"))).ProblemAsync(HttpStatusCode.PreconditionFailed);
        var body = await (await owner.Client.GetAsync($"/api/trips/{tripId}/preferences")).JsonAsync();
        Assert.Equal("relaxed", body["pace"]!.GetValue<string>());
        Assert.Equal(1, body["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Of_racing_saves_from_the_same_version_exactly_one_wins()
    {
        var (owner, tripId) = await NewTripAsync();
        // Both from "nothing saved yet", then both from version 1: each round has one winner and 412s for the rest.
        foreach (var from in new[] { "\"0\"", "\"1\"" })
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
                owner.Client.SendAsync(Put(tripId, Full(i % 2 == 0 ? "fast" : "moderate"), from))));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.PreconditionFailed));
        }
        var body = await (await owner.Client.GetAsync($"/api/trips/{tripId}/preferences")).JsonAsync();
        Assert.Equal(2, body["version"]!.GetValue<int>());
        Assert.Equal(3, body["interests"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("dietaryRestrictions", """{"dietaryRestrictions":["vegetarian","carnivore"]}""")]
    [InlineData("accessibilityNeeds", """{"accessibilityNeeds":["jetpack"]}""")]
    [InlineData("interests", """{"interests":[{"category":"museums","priority":3},{"category":"knitting","priority":2}]}""")]
    public async Task Unknown_reference_keys_are_400_naming_them_and_write_nothing(string field, string json)
    {
        var (owner, tripId) = await NewTripAsync();
        var response = await owner.Client.PutAsync($"/api/trips/{tripId}/preferences", HttpTestExtensions.RawJson(json));
        var problem = await response.ValidationProblemAsync(field);
        Assert.Contains(field == "interests" ? "knitting" : field == "accessibilityNeeds" ? "jetpack" : "carnivore",
            problem["errors"]![field]![0]!.GetValue<string>());
        Assert.Equal(0, (await (await owner.Client.GetAsync($"/api/trips/{tripId}/preferences")).JsonAsync())["version"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("interests[0].priority", """{"interests":[{"category":"museums","priority":11}]}""")]
    [InlineData("interests[0].priority", """{"interests":[{"category":"museums"}]}""")]
    [InlineData("interests", """{"interests":[{"category":"museums","priority":1},{"category":"museums","priority":2}]}""")]
    [InlineData("dietaryRestrictions", """{"dietaryRestrictions":["vegan","vegan"]}""")]
    [InlineData("accommodationAmenities[0]", """{"accommodationAmenities":["Wi-Fi"]}""")]
    [InlineData("accommodationTypes", """{"accommodationTypes":["hotel","hotel"]}""")]
    [InlineData("customRestrictions", """{"customRestrictions":"x"}""")]
    public async Task Malformed_documents_are_400(string field, string json)
    {
        var (owner, tripId) = await NewTripAsync();
        if (field == "customRestrictions") json = $$"""{"customRestrictions":"{{new string('x', 2001)}}"}""";
        var response = await owner.Client.PutAsync($"/api/trips/{tripId}/preferences", HttpTestExtensions.RawJson(json));
        await response.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task An_unknown_enum_value_is_400()
    {
        var (owner, tripId) = await NewTripAsync();
        var response = await owner.Client.PutAsync($"/api/trips/{tripId}/preferences", HttpTestExtensions.RawJson("""{"pace":"leisurely"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Editors_write_viewers_read_and_strangers_see_no_trip()
    {
        var (owner, tripId) = await NewTripAsync();
        var editor = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        await owner.ShareAsync(tripId, editor, "editor");
        await owner.ShareAsync(tripId, viewer, "viewer");

        await (await editor.Client.SendAsync(Put(tripId, Full()))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await viewer.Client.SendAsync(Put(tripId, Full("fast")))).ProblemAsync(HttpStatusCode.Forbidden);
        var read = await (await viewer.Client.GetAsync($"/api/trips/{tripId}/preferences")).JsonAsync();
        Assert.Equal("relaxed", read["pace"]!.GetValue<string>());

        await (await stranger.Client.GetAsync($"/api/trips/{tripId}/preferences")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.SendAsync(Put(tripId, Full()))).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.GetAsync($"/api/trips/{Guid.NewGuid()}/preferences")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_the_trip_deletes_its_preferences()
    {
        var (owner, tripId) = await NewTripAsync();
        await (await owner.Client.SendAsync(Put(tripId, Full()))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await using var conn = new NpgsqlConnection(api.Database.Direct);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("""
            SELECT (SELECT count(*) FROM trip_preferences WHERE trip_id = @tripId) + (SELECT count(*) FROM trip_interests WHERE trip_id = @tripId)
                 + (SELECT count(*) FROM trip_dietary_restrictions WHERE trip_id = @tripId)
                 + (SELECT count(*) FROM trip_accessibility_needs WHERE trip_id = @tripId)::int
            """, new { tripId }));
    }

    [Fact]
    public async Task The_GDPR_export_holds_the_preferences_of_the_users_trips()
    {
        var (owner, tripId) = await NewTripAsync();
        await (await owner.Client.SendAsync(Put(tripId, Full()))).EnsureStatusAsync(HttpStatusCode.OK);
        var export = await (await owner.Client.GetAsync("/api/users/me/export")).JsonAsync();
        var trip = export["trips"]!.AsArray().Single(t => t!["id"]!.GetValue<Guid>() == tripId)!;
        var preferences = trip["preferences"]!;
        Assert.Equal("relaxed", preferences["pace"]!.GetValue<string>());
        Assert.Equal(["gluten_free", "vegetarian"], Strings(preferences["dietaryRestrictions"]));
        Assert.Equal(3, preferences["interests"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reference_lists_are_cacheable_with_a_content_ETag_and_304_on_a_match()
    {
        var user = await api.NewUserAsync();
        foreach (var path in new[] { "dietary-restrictions", "accessibility-needs", "interest-categories" })
        {
            var first = await user.Client.GetAsync($"/api/reference/{path}");
            await first.EnsureStatusAsync(HttpStatusCode.OK);
            var etag = first.Headers.ETag!.Tag;
            Assert.Contains("max-age", first.Headers.CacheControl!.ToString());

            var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/reference/{path}");
            conditional.Headers.TryAddWithoutValidation("If-None-Match", $"\"other\", {etag}");
            var again = await user.Client.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag!.Tag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());

            var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/reference/{path}");
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"other\"");
            await (await user.Client.SendAsync(stale)).EnsureStatusAsync(HttpStatusCode.OK);
        }
        await (await api.Anonymous().GetAsync("/api/reference/dietary-restrictions")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_category_tree_nests_children_under_their_parents_and_agents_can_read_it()
    {
        var agent = await api.NewAgentAsync("agents:chat");
        var response = await agent.Client.GetAsync("/api/reference/interest-categories");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var roots = (await response.JsonAsync())["categories"]!.AsArray();
        var culture = roots.Single(r => r!["key"]!.GetValue<string>() == "culture_history")!;
        Assert.Equal("Culture & History", culture["displayName"]!.GetValue<string>());
        Assert.Equal(1, culture["level"]!.GetValue<int>());
        Assert.Equal(["museums", "historical_sites", "architecture", "religious_sites"],
            culture["children"]!.AsArray().Select(c => c!["key"]!.GetValue<string>()).ToList());
        Assert.All(culture["children"]!.AsArray(), c => Assert.Equal(2, c!["level"]!.GetValue<int>()));
        // Every key appears once in the whole tree, matching the table.
        await using var conn = new NpgsqlConnection(api.Database.Direct);
        var count = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM interest_categories");
        Assert.Equal(count, roots.Count + roots.Sum(r => r!["children"]!.AsArray().Count));

        var dietary = await (await agent.Client.GetAsync("/api/reference/dietary-restrictions")).JsonAsync();
        Assert.Contains("gluten_free", dietary["items"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()));
    }

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Places;

public sealed class PlacesReviewsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private Task<long> CountAsync(string sql, object? args = null) => api.AdminScalarAsync<long>(sql, args);

    private async Task<(TestAgent Agent, Guid Attraction)> AttractionAsync(string name)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync(name + " City", 20, 20);
        return (agent, await agent.NewAttractionAsync(city, name, 20.001, 20.001));
    }

    [Fact]
    public async Task Reimporting_a_review_by_source_and_id_updates_it_and_never_duplicates()
    {
        var (agent, attraction) = await AttractionAsync("Reviewed Museum");
        var created = await agent.PostAsync("/api/places/attraction-reviews",
            PlacesTestData.Review(attraction, "2026-05-01", 4, "g-1-" + attraction), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal((4, "2026-05-01", "google", "en"), (created["rating"]!.GetValue<int>(), created["reviewDate"]!.GetValue<string>(),
            created["source"]!.GetValue<string>(), created["language"]!.GetValue<string>()));
        // Back-date the cache, so the refresh is visible.
        await api.AdminExecAsync("UPDATE attraction_reviews SET cached_at = now() - interval '10 days' WHERE id = @id", new { id });

        var updated = await agent.PostAsync("/api/places/attraction-reviews", new
        {
            attractionId = attraction, source = "google", externalReviewId = "g-1-" + attraction, rating = 2, text = "Edited: too crowded.",
        }, HttpStatusCode.OK);
        Assert.Equal(id, updated["id"]!.GetValue<Guid>());
        Assert.Equal((2, "Edited: too crowded."), (updated["rating"]!.GetValue<int>(), updated["text"]!.GetValue<string>()));
        Assert.Null(updated["reviewDate"]); // a re-import replaces: absent is none
        Assert.Null(updated["authorName"]);
        Assert.True(updated["cachedAt"]!.GetValue<DateTimeOffset>() > created["cachedAt"]!.GetValue<DateTimeOffset>().AddDays(-1));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM attraction_reviews WHERE attraction_id = @attraction", new { attraction }));

        // The same id from another source is another review.
        await agent.PostAsync("/api/places/attraction-reviews",
            PlacesTestData.Review(attraction, null, 5, "g-1-" + attraction, source: "tripadvisor"), HttpStatusCode.Created);
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM attraction_reviews WHERE attraction_id = @attraction", new { attraction }));
    }

    [Fact]
    public async Task A_review_id_of_another_attraction_is_a_conflict_and_a_missing_attraction_a_400()
    {
        var (agent, attraction) = await AttractionAsync("First Gallery");
        var city = await api.AdminScalarAsync<Guid>("SELECT city_id FROM attractions WHERE id = @attraction", new { attraction });
        var other = await agent.NewAttractionAsync(city, "Second Gallery", 20.002, 20.002);
        var key = "clash-" + Guid.NewGuid().ToString("N");
        await agent.PostAsync("/api/places/attraction-reviews", PlacesTestData.Review(attraction, "2026-01-02", 5, key), HttpStatusCode.Created);

        await (await agent.Client.PostAsJsonAsync("/api/places/attraction-reviews", PlacesTestData.Review(other, "2026-01-03", 1, key)))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal((attraction, 5L), (await api.AdminScalarAsync<Guid>("SELECT attraction_id FROM attraction_reviews WHERE external_review_id = @key", new { key }),
            await api.AdminScalarAsync<long>("SELECT rating FROM attraction_reviews WHERE external_review_id = @key", new { key })));

        var orphan = "orphan-" + Guid.NewGuid().ToString("N");
        await (await agent.Client.PostAsJsonAsync("/api/places/attraction-reviews", PlacesTestData.Review(Guid.NewGuid(), null, 3, orphan)))
            .ValidationProblemAsync("attractionId");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attraction_reviews WHERE external_review_id = @orphan", new { orphan }));
    }

    [Fact]
    public async Task Reviews_page_newest_first_undated_last_by_cursor_and_stale_ones_are_not_listed()
    {
        var (agent, attraction) = await AttractionAsync("Paged Palace");
        var user = await api.NewUserAsync();
        string?[] dates = ["2025-03-01", null, "2026-02-10", "2026-02-10", "2024-12-31", null, "2026-07-04"];
        var ids = new List<(string? Date, Guid Id)>();
        foreach (var date in dates)
            ids.Add((date, (await agent.PostAsync("/api/places/attraction-reviews", PlacesTestData.Review(attraction, date), HttpStatusCode.Created))["id"]!
                .GetValue<Guid>()));
        // Cached longer ago than the cache keeps reviews: the CacheExpiry job would delete it; until then it is not listed.
        var stale = (await agent.PostAsync("/api/places/attraction-reviews", PlacesTestData.Review(attraction, "2026-08-01"), HttpStatusCode.Created))["id"]!
            .GetValue<Guid>();
        await api.AdminExecAsync("UPDATE attraction_reviews SET cached_at = now() - interval '31 days' WHERE id = @stale", new { stale });

        // Newest date first, ties by id descending, undated last: the order the keyset walks.
        var expected = ids.OrderByDescending(r => r.Date ?? "1900-01-01", StringComparer.Ordinal).ThenByDescending(r => r.Id.ToString("N"), StringComparer.Ordinal)
            .Select(r => r.Id).ToList();
        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await user.Client.GetAsync($"/api/places/attractions/{attraction}/reviews?limit=3"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).JsonAsync();
            var items = page["items"]!.AsArray();
            Assert.True(items.Count is >= 1 and <= 3, $"page {pages} after {cursor}: {page.ToJsonString()} seen {string.Join(",", seen)}");
            seen.AddRange(items.Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(expected, seen);
        Assert.DoesNotContain(stale, seen);

        // Default page size takes them all at once; agents read too.
        var all = await (await agent.Client.GetAsync($"/api/places/attractions/{attraction}/reviews")).JsonAsync();
        Assert.Equal(expected, all["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Null(all["nextCursor"]);

        await (await user.Client.GetAsync($"/api/places/attractions/{Guid.NewGuid()}/reviews")).ProblemAsync(HttpStatusCode.NotFound);
        await (await api.Anonymous().GetAsync($"/api/places/attractions/{attraction}/reviews")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Which_reviews_are_listed_follows_the_retention_set_in_table_settings()
    {
        var (agent, attraction) = await AttractionAsync("Retention Palace");
        var old = (await agent.PostAsync("/api/places/attraction-reviews", PlacesTestData.Review(attraction, "2026-01-01"), HttpStatusCode.Created))["id"]!
            .GetValue<Guid>();
        await api.AdminExecAsync("UPDATE attraction_reviews SET cached_at = now() - interval '35 days' WHERE id = @old", new { old });
        async Task<bool> ListedAsync() => (await (await agent.Client.GetAsync($"/api/places/attractions/{attraction}/reviews")).JsonAsync())["items"]!
            .AsArray().Any(i => i!["id"]!.GetValue<Guid>() == old);
        try
        {
            Assert.False(await ListedAsync());  // the 30 days of 0015
            await api.AdminExecAsync("UPDATE maintenance.table_settings SET retention_days = 40 WHERE table_name = 'attraction_reviews'");
            Assert.True(await ListedAsync());
            await api.AdminExecAsync("UPDATE maintenance.table_settings SET retention_days = 30, enabled = false WHERE table_name = 'attraction_reviews'");
            Assert.True(await ListedAsync());  // retention off: nothing is deleted, so nothing is left out
        }
        finally
        {
            await api.AdminExecAsync("UPDATE maintenance.table_settings SET retention_days = 30, enabled = true WHERE table_name = 'attraction_reviews'");
        }
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?cursor=MjAyNi0wMS0wMX5ub3QtYS1ndWlk", "cursor")] // "2026-01-01~not-a-guid"
    [InlineData("?cursor=MjAyNi0wMS0wMVQxMDozMDowMC4wMDAwMDAwKzAwOjAwfjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw", "cursor")] // a date-time: another list's cursor
    [InlineData("?limit=2&limit=3", "limit")]
    public async Task Review_list_parameters(string query, string field)
    {
        var (_, attraction) = await AttractionAsync("Query Tower");
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync($"/api/places/attractions/{attraction}/reviews{query}")).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Review_writes_need_the_catalog_scope()
    {
        var (_, attraction) = await AttractionAsync("Scoped Fountain");
        var user = await api.NewUserAsync();
        var otherAgent = await api.NewAgentAsync("agents:search-cache");
        var body = PlacesTestData.Review(attraction, "2026-01-01");
        await (await user.Client.PostAsJsonAsync("/api/places/attraction-reviews", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await otherAgent.Client.PostAsJsonAsync("/api/places/attraction-reviews", body)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await api.Anonymous().PostAsJsonAsync("/api/places/attraction-reviews", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attraction_reviews WHERE attraction_id = @attraction", new { attraction }));
    }

    [Theory]
    [InlineData("attractionId", null, "attractionId")]
    [InlineData("source", "\"yelp\"", "source")]
    [InlineData("source", null, "source")]
    [InlineData("externalReviewId", "\"  \"", "externalReviewId")]
    [InlineData("externalReviewId", null, "externalReviewId")]
    [InlineData("externalReviewId", "\"LONG_256\"", "externalReviewId")]
    [InlineData("authorName", "\"LONG_101\"", "authorName")]
    [InlineData("rating", "0", "rating")]
    [InlineData("rating", "6", "rating")]
    [InlineData("rating", null, "rating")]
    [InlineData("rating", "4.5", "rating")]
    [InlineData("text", "\"LONG_10001\"", "text")]
    [InlineData("language", "\"EN\"", "language")]
    [InlineData("language", "\"english please\"", "language")]
    [InlineData("reviewDate", "\"1989-12-31\"", "reviewDate")]
    [InlineData("reviewDate", "\"2999-01-01\"", "reviewDate")]
    [InlineData("reviewDate", "\"yesterday\"", "reviewDate")]
    public async Task Review_rules(string member, string? json, string field)
    {
        var (agent, attraction) = await AttractionAsync("Rule Bridge");
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(PlacesTestData.Review(attraction, "2026-01-01"), HttpTestExtensions.Json))!.AsObject();
        if (json is not null)
            foreach (var n in new[] { 10001, 256, 101 })
                json = json.Replace($"LONG_{n}", new string('x', n));
        body[member] = json is null ? null : JsonNode.Parse(json);
        await (await agent.Client.PostAsync("/api/places/attraction-reviews", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attraction_reviews WHERE attraction_id = @attraction", new { attraction }));
    }
}

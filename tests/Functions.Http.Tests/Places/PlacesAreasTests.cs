using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Places;

public sealed class PlacesAreasTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private Task<long> CountAsync(string sql, object? args = null) => api.AdminScalarAsync<long>(sql, args);

    [Fact]
    public async Task Reimporting_an_area_by_city_and_name_updates_it_whatever_the_case_or_accents()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        var city = await agent.NewCityAsync("Paris", 48.8566, 2.3522);

        var created = await agent.PostAsync("/api/places/city-areas", PlacesTestData.Area(city, "Le Marais"), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal(("Le Marais", 48.8575, "nightlife"), (created["name"]!.GetValue<string>(), created["center"]!["lat"]!.GetValue<double>(),
            created["tags"]![0]!.GetValue<string>()));

        // Another spelling of the same area: the same row, the new spelling, every field replaced (absent is none).
        var updated = await agent.PostAsync("/api/places/city-areas", new { cityId = city, name = "LE MARAÍS", tags = new[] { "museums" } }, HttpStatusCode.OK);
        Assert.Equal(id, updated["id"]!.GetValue<Guid>());
        Assert.Equal("LE MARAÍS", updated["name"]!.GetValue<string>());
        Assert.Null(updated["description"]);
        Assert.Null(updated["center"]);
        Assert.Equal(["museums"], updated["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM city_areas WHERE city_id = @city", new { city }));

        // The same name in another city is another area.
        var other = await agent.NewCityAsync("Québec", 46.8139, -71.2080, "America/Toronto");
        await agent.PostAsync("/api/places/city-areas", PlacesTestData.Area(other, "Le Marais"), HttpStatusCode.Created);
        await agent.PostAsync("/api/places/city-areas", PlacesTestData.Area(city, "Belleville"), HttpStatusCode.Created);

        // Users (and agents) read them: the list in full, by name, and the city's read names them.
        var list = await (await user.Client.GetAsync($"/api/places/cities/{city}/areas")).JsonAsync();
        Assert.Equal(["Belleville", "LE MARAÍS"], list["items"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()));
        Assert.Equal(city, list["items"]![1]!["cityId"]!.GetValue<Guid>());
        var read = await user.Client.GetAsync($"/api/places/cities/{city}");
        await read.EnsureStatusAsync(HttpStatusCode.OK);
        var areas = (await read.JsonAsync())["areas"]!.AsArray();
        Assert.Equal([("Belleville", true), ("LE MARAÍS", true)], areas.Select(a => (a!["name"]!.GetValue<string>(), a["id"] is not null)));
        Assert.Equal(id, areas[1]!["id"]!.GetValue<Guid>());
        await (await agent.Client.GetAsync($"/api/places/cities/{other}/areas")).EnsureStatusAsync(HttpStatusCode.OK);

        // A city with none has an empty list; no such city is a 404.
        var empty = await agent.NewCityAsync("Nowhere Special", 10, 10);
        Assert.Empty((await (await user.Client.GetAsync($"/api/places/cities/{empty}/areas")).JsonAsync())["items"]!.AsArray());
        Assert.Empty((await (await user.Client.GetAsync($"/api/places/cities/{empty}")).JsonAsync())["areas"]!.AsArray());
        await (await user.Client.GetAsync($"/api/places/cities/{Guid.NewGuid()}/areas")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync("/api/places/cities/not-a-uuid/areas")).ValidationProblemAsync("cityId");
    }

    [Fact]
    public async Task An_attraction_sits_in_an_area_of_its_own_city()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Lisboa", 38.7223, -9.1393, "Europe/Lisbon");
        var area = (await agent.PostAsync("/api/places/city-areas", PlacesTestData.Area(city, "Alfama"), HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        var elsewhere = await agent.NewCityAsync("Porto", 41.1579, -8.6291, "Europe/Lisbon");
        var foreignArea = (await agent.PostAsync("/api/places/city-areas", PlacesTestData.Area(elsewhere, "Ribeira"), HttpStatusCode.Created))["id"]!
            .GetValue<Guid>();

        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            PlacesTestData.Attraction(city, "Castelo de São Jorge", 38.7139, -9.1335, "landmark"), HttpTestExtensions.Json))!.AsObject();
        body["areaId"] = area.ToString();
        var created = await (await agent.Client.PostAsync("/api/places/attractions", HttpTestExtensions.RawJson(body.ToJsonString()))).JsonAsync();
        Assert.Equal((area, "Alfama"), (created["areaId"]!.GetValue<Guid>(), created["areaName"]!.GetValue<string>()));
        var id = created["id"]!.GetValue<Guid>();
        var read = await (await agent.Client.GetAsync($"/api/places/attractions/{id}")).JsonAsync();
        Assert.Equal(area, read["areaId"]!.GetValue<Guid>());

        // Another city's area, or none that exists: 400 naming areaId, the attraction unchanged.
        foreach (var wrong in new[] { foreignArea, Guid.NewGuid() })
        {
            body["areaId"] = wrong.ToString();
            await (await agent.Client.PostAsync("/api/places/attractions", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync("areaId");
        }
        Assert.Equal(area, await api.AdminScalarAsync<Guid>("SELECT area_id FROM attractions WHERE id = @id", new { id }));

        // A re-import without it: none (a write replaces every descriptive field).
        body.Remove("areaId");
        var again = await agent.PostAsync("/api/places/attractions", body, HttpStatusCode.OK);
        Assert.Null(again["areaId"]);
        Assert.Null(again["areaName"]);
    }

    [Fact]
    public async Task An_area_needs_an_existing_city()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        await (await agent.Client.PostAsJsonAsync("/api/places/city-areas", PlacesTestData.Area(Guid.NewGuid(), "Orphan Quarter")))
            .ValidationProblemAsync("cityId");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM city_areas WHERE name = 'Orphan Quarter'"));
    }

    [Fact]
    public async Task Area_writes_need_the_catalog_scope_and_reads_a_signed_in_caller()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Scopeville", 11, 11);
        var user = await api.NewUserAsync();
        var otherAgent = await api.NewAgentAsync("agents:logs");
        var body = PlacesTestData.Area(city, "Forbidden Quarter");
        await (await user.Client.PostAsJsonAsync("/api/places/city-areas", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await otherAgent.Client.PostAsJsonAsync("/api/places/city-areas", body)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await api.Anonymous().PostAsJsonAsync("/api/places/city-areas", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().GetAsync($"/api/places/cities/{city}/areas")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM city_areas WHERE city_id = @city", new { city }));
    }

    [Theory]
    [InlineData("cityId", null, "cityId")]
    [InlineData("cityId", "\"00000000-0000-0000-0000-000000000000\"", "cityId")]
    [InlineData("name", null, "name")]
    [InlineData("name", "\"   \"", "name")]
    [InlineData("name", "\"" + "x101-------------------------------------------------------------------------------------------------\"", "name")]
    [InlineData("description", "\"TOO_LONG\"", "description")]
    [InlineData("center", "{\"lat\": 91, \"lon\": 0}", "center")]
    [InlineData("center", "{\"lon\": 0}", "center")]
    [InlineData("tags", "[\"Night Life\"]", "tags")]
    [InlineData("tags", "[null]", "tags")]
    public async Task Area_rules(string member, string? json, string field)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Areaville", 12, 12);
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(PlacesTestData.Area(city, "Rule Quarter"), HttpTestExtensions.Json))!.AsObject();
        body[member] = json is null ? null : JsonNode.Parse(json.Replace("TOO_LONG", new string('d', 2001)));
        await (await agent.Client.PostAsync("/api/places/city-areas", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM city_areas WHERE city_id = @city", new { city }));
    }
}

using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Places;

public sealed class PlacesReadTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static List<string> Names(JsonNode body) => body["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Nearby_lists_nearest_first_within_the_radius_and_filters_by_type_and_category()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        // Around the Louvre; each test has its own part of the map.
        var paris = await agent.NewCityAsync("Paris", 48.8566, 2.3522);
        await agent.NewAttractionAsync(paris, "Musée du Louvre", 48.8606, 2.3376, "museum", categories: ["art", "history"]);
        await agent.NewAttractionAsync(paris, "Tour Eiffel", 48.8584, 2.2945, "landmark", categories: ["views"]);
        await agent.NewAttractionAsync(paris, "Château de Versailles", 48.8049, 2.1204, "palace", categories: ["history"]);

        var near = await user.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364&radiusKm=10");
        await near.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await near.JsonAsync();
        Assert.Equal(["Musée du Louvre", "Tour Eiffel"], Names(body));
        var first = body["items"]![0]!;
        Assert.InRange(first["distanceMeters"]!.GetValue<double>(), 50, 150);
        Assert.Equal("Paris", first["cityName"]!.GetValue<string>());
        Assert.Equal(48.8606, first["location"]!["lat"]!.GetValue<double>(), 6);
        Assert.True(body["items"]![1]!["distanceMeters"]!.GetValue<double>() > first["distanceMeters"]!.GetValue<double>());

        Assert.Equal(["Musée du Louvre", "Tour Eiffel", "Château de Versailles"],
            Names(await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364&radiusKm=25")).JsonAsync()));
        Assert.Equal(["Tour Eiffel"],
            Names(await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364&radiusKm=25&type=landmark")).JsonAsync()));
        Assert.Equal(["Musée du Louvre", "Château de Versailles"],
            Names(await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364&radiusKm=25&category=history")).JsonAsync()));
        Assert.Equal(["Musée du Louvre"],
            Names(await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364&radiusKm=25&limit=1")).JsonAsync()));
        // Agents read too.
        await (await agent.Client.GetAsync("/api/places/attractions/nearby?lat=48.8611&lon=2.3364")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Open_now_is_evaluated_in_each_attractions_local_time()
    {
        // No clock is faked and no timing assumed: the three share one statement's "now". P (UTC) is open 00:00-12:00,
        // Q (city zone UTC+12) 12:00-24:00, R (UTC) 12:00-24:00. In local time P and Q are open at exactly the same
        // instants and R at the others; in UTC (the bug this guards against) Q would behave like R.
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        var utcCity = await agent.NewCityAsync("Greenwich Test", -40.0, -30.0, timezone: "UTC");
        var plus12City = await agent.NewCityAsync("Plus Twelve Test", -40.0, -30.01, timezone: "UTC", cityTimezone: "Etc/GMT-12");
        await agent.NewAttractionAsync(utcCity, "P morning", -40.001, -30.0, openingHours: PlacesTestData.Days(new[] { new { open = "00:00", close = "12:00" } }));
        await agent.NewAttractionAsync(plus12City, "Q afternoon", -40.002, -30.0, openingHours: PlacesTestData.Days(new[] { new { open = "12:00", close = "24:00" } }));
        await agent.NewAttractionAsync(utcCity, "R afternoon", -40.003, -30.0, openingHours: PlacesTestData.Days(new[] { new { open = "12:00", close = "24:00" } }));
        await agent.NewAttractionAsync(utcCity, "S always", -40.004, -30.0, openingHours: PlacesTestData.AlwaysOpen);
        await agent.NewAttractionAsync(utcCity, "T unknown hours", -40.005, -30.0);
        await agent.NewAttractionAsync(utcCity, "U closed all week", -40.006, -30.0, openingHours: new Dictionary<string, object>());

        var all = await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=-40&lon=-30&radiusKm=5")).JsonAsync();
        var open = all["items"]!.AsArray().ToDictionary(i => i!["name"]!.GetValue<string>(), i => i!["openNow"]!.GetValue<bool>());
        Assert.Equal(6, open.Count);
        Assert.Equal(open["P morning"], open["Q afternoon"]);
        Assert.NotEqual(open["P morning"], open["R afternoon"]);
        Assert.True(open["S always"]);
        Assert.False(open["T unknown hours"]);
        Assert.False(open["U closed all week"]);

        var openNow = Names(await (await user.Client.GetAsync("/api/places/attractions/nearby?lat=-40&lon=-30&radiusKm=5&open=now")).JsonAsync());
        Assert.Contains("S always", openNow);
        Assert.DoesNotContain("T unknown hours", openNow);
        Assert.DoesNotContain("U closed all week", openNow);
        // Either the morning pair or the afternoon one (whichever half of the UTC day this is), never a mix.
        var rest = openNow.Where(n => n != "S always").Order().ToList();
        Assert.True(rest.SequenceEqual(["P morning", "Q afternoon"]) || rest.SequenceEqual(["R afternoon"]), string.Join(", ", openNow));
    }

    [Theory]
    [InlineData("lon=2", "lat")]
    [InlineData("lat=48", "lon")]
    [InlineData("lat=91&lon=2", "lat")]
    [InlineData("lat=48&lon=-181", "lon")]
    [InlineData("lat=abc&lon=2", "lat")]
    [InlineData("lat=NaN&lon=2", "lat")]
    [InlineData("lat=48&lat=49&lon=2", "lat")]
    [InlineData("lat=48&lon=2&radiusKm=0", "radiusKm")]
    [InlineData("lat=48&lon=2&radiusKm=50.5", "radiusKm")]
    [InlineData("lat=48&lon=2&type=Museum", "type")]
    [InlineData("lat=48&lon=2&category=art%20deco", "category")]
    [InlineData("lat=48&lon=2&open=later", "open")]
    [InlineData("lat=48&lon=2&limit=0", "limit")]
    [InlineData("lat=48&lon=2&limit=101", "limit")]
    public async Task Nearby_rejects_bad_parameters(string query, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/places/attractions/nearby?" + query)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Search_finds_cities_and_attractions_fuzzily_whatever_the_accents_and_case()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        var paris = await agent.NewCityAsync("Paris", 48.8566, 2.3522, aliases: ["City of Light"]);
        var barcelona = await agent.NewCityAsync("Barcelona", 41.3874, 2.1686, timezone: "Europe/Madrid");
        await agent.NewAttractionAsync(barcelona, "Sagrada Família", 41.4036, 2.1744, "religious_site");
        // Far from the other tests' maps: only the names matter here.
        await agent.NewAttractionAsync(paris, "Musée d'Orsay", 0.5, 100.0);

        async Task<JsonNode> Search(string q)
        {
            var response = await user.Client.GetAsync("/api/places/search?q=" + Uri.EscapeDataString(q));
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            return (await response.JsonAsync())["items"]![0] ?? throw new Xunit.Sdk.XunitException($"nothing found for '{q}'");
        }

        var city = await Search("Paree");
        Assert.Equal(("city", "Paris"), (city["kind"]!.GetValue<string>(), city["name"]!.GetValue<string>()));
        var all = await (await user.Client.GetAsync("/api/places/search?q=Paree")).JsonAsync();
        Assert.Contains(paris, all["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Equal("Paris", (await Search("PARIS"))["name"]!.GetValue<string>());
        Assert.Equal("Paris", (await Search("city of light"))["name"]!.GetValue<string>());
        foreach (var q in new[] { "sagrada", "Sagrada Familia", "SAGRADA FAMÍLIA", "sagrada família", "Sagrda Familia" })
        {
            var hit = await Search(q);
            Assert.Equal(("attraction", "Sagrada Família", "Barcelona"),
                (hit["kind"]!.GetValue<string>(), hit["name"]!.GetValue<string>(), hit["cityName"]!.GetValue<string>()));
        }
        Assert.Equal("Musée d'Orsay", (await Search("musee dorsay"))["name"]!.GetValue<string>());
        Assert.Equal("Barcelona", (await Search("barcelonna"))["name"]!.GetValue<string>());

        var none = await (await user.Client.GetAsync("/api/places/search?q=zzqxv")).JsonAsync();
        Assert.Empty(none["items"]!.AsArray());
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=a", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=paris&limit=51", "limit")]
    [InlineData("q=paris&q=rome", "q")]
    public async Task Search_rejects_bad_parameters(string query, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/places/search?" + query)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Search_rejects_a_query_over_100_characters()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/places/search?q=" + new string('a', 101))).ValidationProblemAsync("q");
    }

    [Fact]
    public async Task Countries_cities_and_attractions_by_id()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        var iso = await agent.NewCountryAsync("Europe/Lisbon");
        var cityBody = await agent.PostAsync("/api/places/cities", PlacesTestData.City("gp-" + Guid.NewGuid(), iso, "Lisboa", 38.7223, -9.1393, ["Lisbon"]),
            System.Net.HttpStatusCode.Created);
        var cityId = cityBody["id"]!.GetValue<Guid>();
        var attractionId = await agent.NewAttractionAsync(cityId, "Torre de Belém", 38.6916, -9.2160, "monument", PlacesTestData.AlwaysOpen);

        var country = await (await user.Client.GetAsync($"/api/places/countries/{iso.ToLowerInvariant()}")).JsonAsync();
        Assert.Equal(("Europe/Lisbon", "EUR", 160), (country["timezone"]!.GetValue<string>(), country["currencyCode"]!.GetValue<string>(),
            country["dailyCost"]!["mid"]!.GetValue<int>()));
        var byId = await user.Client.GetAsync($"/api/places/countries/{country["id"]}");
        await byId.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(iso, (await byId.JsonAsync())["isoCode"]!.GetValue<string>());

        var city = await (await user.Client.GetAsync($"/api/places/cities/{cityId}")).JsonAsync();
        Assert.Equal(("Lisboa", iso, "Europe/Lisbon", -9.1393), (city["name"]!.GetValue<string>(), city["countryCode"]!.GetValue<string>(),
            city["timezone"]!.GetValue<string>(), city["location"]!["lon"]!.GetValue<double>()));
        Assert.Equal("Lisbon", city["aliases"]![0]!.GetValue<string>());

        var attraction = await (await user.Client.GetAsync($"/api/places/attractions/{attractionId}")).JsonAsync();
        Assert.Equal(("Torre de Belém", "monument", true, "Lisboa"), (attraction["name"]!.GetValue<string>(), attraction["type"]!.GetValue<string>(),
            attraction["openNow"]!.GetValue<bool>(), attraction["cityName"]!.GetValue<string>()));
        Assert.Equal("24:00", attraction["openingHours"]!["sunday"]![0]!["close"]!.GetValue<string>());
        Assert.True(attraction["accessibility"]!["wheelchairAccessible"]!.GetValue<bool>());
        Assert.Equal(22m, attraction["priceAdult"]!["amount"]!.GetValue<decimal>());
        Assert.NotNull(attraction["externalDataCachedAt"]);
        Assert.Empty(attraction["bookingLinks"]!.AsArray());

        await (await user.Client.GetAsync($"/api/places/attractions/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync($"/api/places/cities/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync($"/api/places/countries/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync("/api/places/countries/XYZ")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync("/api/places/cities/not-a-uuid")).EnsureStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Agents_read_the_catalog_whatever_their_scopes()
    {
        var importer = await api.NewAgentAsync(PlacesTestData.Catalog);
        var iso = await importer.NewCountryAsync();
        var reader = await api.NewAgentAsync("agents:logs");
        foreach (var path in new[] { $"/api/places/countries/{iso}", "/api/places/search?q=paris", "/api/places/attractions/nearby?lat=1&lon=1" })
            await (await reader.Client.GetAsync(path)).EnsureStatusAsync(HttpStatusCode.OK);
        // Writing the catalog still takes the catalog scope.
        await (await reader.Client.PutAsJsonAsync($"/api/places/countries/{iso}", PlacesTestData.Country("Elsewhere")))
            .ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reads_need_a_signed_in_caller()
    {
        var anonymous = api.Anonymous();
        foreach (var path in new[] { "/api/places/attractions/nearby?lat=1&lon=1", "/api/places/search?q=paris", "/api/places/countries/FR",
                                     $"/api/places/cities/{Guid.NewGuid()}", $"/api/places/attractions/{Guid.NewGuid()}" })
            await (await anonymous.GetAsync(path)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}

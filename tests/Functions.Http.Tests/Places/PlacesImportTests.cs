using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Itineraries;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Places;

public sealed class PlacesImportTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private Task<long> CountAsync(string sql, object? args = null) => api.AdminScalarAsync<long>(sql, args);

    [Fact]
    public async Task Reimporting_a_country_or_city_updates_it_and_never_duplicates()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var iso = await agent.NewCountryAsync();
        var again = await agent.PutCountryAsync(iso, new { name = "Renamed", timezone = "Europe/Berlin" }, HttpStatusCode.OK);
        Assert.Equal(("Renamed", "Europe/Berlin"), (again["name"]!.GetValue<string>(), again["timezone"]!.GetValue<string>()));
        Assert.Null(again["currencyCode"]); // a re-import replaces: absent is none
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM countries WHERE iso_code = @iso", new { iso }));

        var gp = "gp-" + Guid.NewGuid().ToString("N");
        var created = await agent.PostAsync("/api/places/cities", PlacesTestData.City(gp, iso, "Berlin", 52.52, 13.405), HttpStatusCode.Created);
        var updated = await agent.PostAsync("/api/places/cities", PlacesTestData.City(gp, iso, "Berlin Mitte", 52.521, 13.41, ["Bärlin"]), HttpStatusCode.OK);
        Assert.Equal(created["id"]!.GetValue<Guid>(), updated["id"]!.GetValue<Guid>());
        Assert.Equal(("Berlin Mitte", 13.41, "Bärlin"), (updated["name"]!.GetValue<string>(), updated["location"]!["lon"]!.GetValue<double>(),
            updated["aliases"]![0]!.GetValue<string>()));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM cities WHERE google_places_id = @gp", new { gp }));
    }

    [Fact]
    public async Task Reimporting_an_attraction_by_any_external_id_updates_it_and_keeps_the_other_ids()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Roma", 41.9028, 12.4964, "Europe/Rome");
        var gp = "gp-" + Guid.NewGuid().ToString("N");
        var ta = "ta-" + Guid.NewGuid().ToString("N");

        var first = await agent.PostAsync("/api/places/attractions",
            PlacesTestData.Attraction(city, "Colosseo", 41.8902, 12.4922, "landmark", googlePlacesId: gp), HttpStatusCode.Created);
        var id = first["id"]!.GetValue<Guid>();
        // The same place from TripAdvisor, carrying both ids: the same row, now with both.
        var second = await agent.PostAsync("/api/places/attractions",
            PlacesTestData.Attraction(city, "Colosseum", 41.8903, 12.4923, "landmark", googlePlacesId: gp, tripadvisorId: ta), HttpStatusCode.OK);
        Assert.Equal(id, second["id"]!.GetValue<Guid>());
        // Later by the TripAdvisor id alone: still the same row, the Google id kept.
        var third = await agent.PostAsync("/api/places/attractions", new
        {
            cityId = city, name = "Colosseum", type = "landmark", location = new { lat = 41.8902, lon = 12.4922 }, externalIds = new { tripadvisor = ta },
        }, HttpStatusCode.OK);
        Assert.Equal(id, third["id"]!.GetValue<Guid>());
        Assert.Equal((gp, ta), (third["externalIds"]!["googlePlaces"]!.GetValue<string>(), third["externalIds"]!["tripadvisor"]!.GetValue<string>()));
        Assert.Null(third["priceAdult"]);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM attractions WHERE google_places_id = @gp OR tripadvisor_id = @ta", new { gp, ta }));
        // The cached provider data stays until an import brings new data.
        Assert.NotNull(third["externalData"]);

        // Two ids naming two different attractions: 409, nothing written.
        var other = await agent.NewAttractionAsync(city, "Pantheon", 41.8986, 12.4769, "landmark");
        var otherGp = await api.AdminScalarAsync<string>("SELECT google_places_id FROM attractions WHERE id = @other", new { other });
        var clash = await agent.Client.PostAsJsonAsync("/api/places/attractions",
            PlacesTestData.Attraction(city, "Mixed up", 41.9, 12.5, googlePlacesId: otherGp, tripadvisorId: ta));
        await clash.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attractions WHERE name = 'Mixed up'"));
    }

    [Fact]
    public async Task Booking_links_point_at_attractions_trips_or_itinerary_items_and_reimport_replaces()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var user = await api.NewUserAsync();
        var city = await agent.NewCityAsync("Firenze", 43.7696, 11.2558, "Europe/Rome");
        var attraction = await agent.NewAttractionAsync(city, "Galleria degli Uffizi", 43.7678, 11.2553);
        // Relative to the server's clock: a link is valid for a day from now.
        var expires = DateTimeOffset.Parse(await api.AdminScalarAsync<string>("SELECT to_char(now() + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"));
        object Link(string type, Guid id, decimal price, string provider = "getyourguide") => new
        {
            linkableType = type, linkableId = id, provider, bookingUrl = "https://www.getyourguide.example/uffizi", deeplinkUrl = "gyg://uffizi",
            priceFrom = new { amount = price, currency = "EUR" }, affiliateCode = "TF-1", expiresAt = expires,
        };

        var link = await agent.PostAsync("/api/places/booking-links", Link("attraction", attraction, 29m), HttpStatusCode.Created);
        var again = await agent.PostAsync("/api/places/booking-links", Link("attraction", attraction, 25m), HttpStatusCode.OK);
        Assert.Equal(link["id"]!.GetValue<Guid>(), again["id"]!.GetValue<Guid>());
        Assert.Equal(25m, again["priceFrom"]!["amount"]!.GetValue<decimal>());
        await agent.PostAsync("/api/places/booking-links", Link("attraction", attraction, 31m, "viator"), HttpStatusCode.Created);
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM booking_links WHERE attraction_id = @attraction", new { attraction }));

        var read = await (await user.Client.GetAsync($"/api/places/attractions/{attraction}")).JsonAsync();
        Assert.Equal(["getyourguide", "viator"], read["bookingLinks"]!.AsArray().Select(l => l!["provider"]!.GetValue<string>()));

        var trip = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        await agent.PostAsync("/api/places/booking-links", Link("trip", trip, 100m), HttpStatusCode.Created);
        // An itinerary item must exist too (0018's foreign key): a real one is linked, an unknown id is a 400.
        var version = await user.CreateItineraryAsync(trip);
        await agent.PostAsync("/api/places/booking-links", Link("itinerary_item", version.ItemNamed("A").Id(), 10m), HttpStatusCode.Created);
        await (await agent.Client.PostAsJsonAsync("/api/places/booking-links", Link("itinerary_item", Guid.NewGuid(), 1m))).ValidationProblemAsync("linkableId");

        await (await agent.Client.PostAsJsonAsync("/api/places/booking-links", Link("trip", Guid.NewGuid(), 1m))).ValidationProblemAsync("linkableId");
        await (await agent.Client.PostAsJsonAsync("/api/places/booking-links", Link("attraction", Guid.NewGuid(), 1m))).ValidationProblemAsync("linkableId");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM booking_links WHERE price_from = 1"));
    }

    [Fact]
    public async Task Writes_need_the_catalog_scope()
    {
        var user = await api.NewUserAsync();
        var otherAgent = await api.NewAgentAsync("agents:logs");
        var body = new { name = "Nowhere", timezone = "UTC" };
        // A user token is no agent credential: 401, as without a token (AgentScopes); an agent without the scope: 403.
        await (await user.Client.PutAsJsonAsync("/api/places/countries/QQ", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await otherAgent.Client.PutAsJsonAsync("/api/places/countries/QQ", body)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await api.Anonymous().PutAsJsonAsync("/api/places/countries/QQ", body)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        foreach (var path in new[] { "/api/places/cities", "/api/places/attractions", "/api/places/booking-links" })
            await (await user.Client.PostAsJsonAsync(path, new { })).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM countries WHERE iso_code = 'QQ'"));
    }

    public static TheoryData<string, string> BadCountries => new()
    {
        { """{"timezone": "UTC"}""", "name" },
        { """{"name": "X", "timezone": "Mars/Olympus"}""", "timezone" },
        { """{"name": "X"}""", "timezone" },
        { """{"name": "X", "timezone": "Romance Standard Time"}""", "timezone" },
        { """{"name": "X", "timezone": "UTC", "currencyCode": "eur"}""", "currencyCode" },
        { """{"name": "X", "timezone": "UTC", "popularityScore": 1.5}""", "popularityScore" },
        { """{"name": "X", "timezone": "UTC", "centroid": {"lat": 95, "lon": 0}}""", "centroid" },
        { """{"name": "X", "timezone": "UTC", "dailyCost": {"budget": 50}}""", "currencyCode" },
        { """{"name": "X", "timezone": "UTC", "currencyCode": "EUR", "dailyCost": {"budget": -1}}""", "dailyCost" },
    };

    [Theory]
    [MemberData(nameof(BadCountries))]
    public async Task Country_rules(string json, string field)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        await (await agent.Client.PutAsync("/api/places/countries/QR", HttpTestExtensions.RawJson(json))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM countries WHERE iso_code = 'QR'"));
    }

    [Theory]
    [InlineData("qr")]
    [InlineData("QRS")]
    public async Task Country_code_in_the_path_is_two_capitals(string iso)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        await (await agent.Client.PutAsJsonAsync($"/api/places/countries/{iso}", new { name = "X", timezone = "UTC" })).ValidationProblemAsync("isoCode");
    }

    private static JsonObject ValidCity(string countryCode) => new()
    {
        ["googlePlacesId"] = "gp-" + Guid.NewGuid(), ["countryCode"] = countryCode, ["name"] = "Town", ["location"] = new JsonObject { ["lat"] = 1, ["lon"] = 2 },
    };

    [Theory]
    [InlineData("googlePlacesId", null, "googlePlacesId")]
    [InlineData("countryCode", "fra", "countryCode")]
    [InlineData("name", "", "name")]
    [InlineData("nameLocal", " ", "nameLocal")]
    [InlineData("aliases", "[\"\"]", "aliases")]
    [InlineData("location", null, "location")]
    [InlineData("location", "{\"lat\": 1}", "location")]
    [InlineData("location", "{\"lat\": 1, \"lon\": 181}", "location")]
    [InlineData("cityType", "\"village\"", "cityType")]
    [InlineData("population", "-1", "population")]
    [InlineData("iataCode", "\"cdg\"", "iataCode")]
    [InlineData("timezone", "\"Nowhere/Special\"", "timezone")]
    public async Task City_rules(string member, string? json, string field)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var iso = await agent.NewCountryAsync();
        var body = ValidCity(iso);
        body[member] = json is null ? null : JsonNode.Parse(json.StartsWith('[') || json.StartsWith('{') || json.StartsWith('"') || json.StartsWith('-') ? json : $"\"{json}\"");
        await (await agent.Client.PostAsync("/api/places/cities", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM cities c JOIN countries k ON k.id = c.country_id WHERE k.iso_code = @iso", new { iso }));
    }

    [Fact]
    public async Task A_city_needs_an_existing_country_and_an_attraction_an_existing_city()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        await (await agent.Client.PostAsync("/api/places/cities", HttpTestExtensions.RawJson(ValidCity("QZ").ToJsonString()))).ValidationProblemAsync("countryCode");
        await (await agent.Client.PostAsJsonAsync("/api/places/attractions", PlacesTestData.Attraction(Guid.NewGuid(), "Orphan", 1, 1)))
            .ValidationProblemAsync("cityId");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attractions WHERE name = 'Orphan'"));
    }

    [Theory]
    [InlineData("name", null, "name")]
    [InlineData("type", "\"Museum\"", "type")]
    [InlineData("categories", "[\"Fine Art\"]", "categories")]
    [InlineData("location", "{\"lat\": -91, \"lon\": 0}", "location")]
    [InlineData("openingHours", "{\"someday\": [{\"open\": \"09:00\", \"close\": \"17:00\"}]}", "openingHours")]
    [InlineData("openingHours", "{\"monday\": [{\"open\": \"18:00\", \"close\": \"09:00\"}]}", "openingHours")]
    [InlineData("openingHours", "{\"monday\": [{\"open\": \"9am\", \"close\": \"17:00\"}]}", "openingHours")]
    [InlineData("openingHours", "{\"monday\": [{\"open\": \"24:00\", \"close\": \"24:00\"}]}", "openingHours")]
    [InlineData("typicalVisitMinutes", "0", "typicalVisitMinutes")]
    [InlineData("crowdedness", "\"packed\"", "crowdedness")]
    [InlineData("pricingType", "\"cheap\"", "pricingType")]
    [InlineData("priceAdult", "{\"amount\": -1, \"currency\": \"EUR\"}", "priceAdult")]
    [InlineData("priceAdult", "{\"amount\": 1.234, \"currency\": \"EUR\"}", "priceAdult")]
    [InlineData("priceAdult", "{\"amount\": 10}", "priceAdult")]
    [InlineData("rating", "5.5", "rating")]
    [InlineData("reviewCount", "-3", "reviewCount")]
    [InlineData("externalIds", "{}", "externalIds")]
    [InlineData("externalIds", "{\"viator\": \"   \"}", "externalIds")]
    [InlineData("externalIds", null, "externalIds")]
    [InlineData("imageUrls", "[\"http://insecure.example/a.jpg\"]", "imageUrls")]
    [InlineData("externalData", "[1, 2]", "externalData")]
    public async Task Attraction_rules(string member, string? json, string field)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Rulesville", 5, 5);
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(PlacesTestData.Attraction(city, "Rule test", 5, 5), HttpTestExtensions.Json))!.AsObject();
        body[member] = json is null ? null : JsonNode.Parse(json);
        await (await agent.Client.PostAsync("/api/places/attractions", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM attractions WHERE city_id = @city", new { city }));
    }

    [Fact]
    public async Task A_free_attraction_has_no_price()
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var city = await agent.NewCityAsync("Freeville", 6, 6);
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(PlacesTestData.Attraction(city, "Free", 6, 6), HttpTestExtensions.Json))!.AsObject();
        body["pricingType"] = "free";
        await (await agent.Client.PostAsync("/api/places/attractions", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync("priceAdult");
    }

    [Theory]
    [InlineData("linkableType", "\"hotel\"", "linkableType")]
    [InlineData("linkableId", null, "linkableId")]
    [InlineData("provider", "\"Get Your Guide\"", "provider")]
    [InlineData("bookingUrl", "\"http://plain.example/x\"", "bookingUrl")]
    [InlineData("bookingUrl", null, "bookingUrl")]
    [InlineData("deeplinkUrl", "\"not a uri\"", "deeplinkUrl")]
    [InlineData("priceFrom", "{\"amount\": 5, \"currency\": \"euro\"}", "priceFrom")]
    [InlineData("expiresAt", "\"2020-01-01T00:00:00Z\"", "expiresAt")]
    [InlineData("expiresAt", "\"2999-01-01T00:00:00Z\"", "expiresAt")]
    [InlineData("expiresAt", null, "expiresAt")]
    public async Task Booking_link_rules(string member, string? json, string field)
    {
        var agent = await api.NewAgentAsync(PlacesTestData.Catalog);
        var id = Guid.NewGuid();
        var body = new JsonObject
        {
            ["linkableType"] = "itinerary_item", ["linkableId"] = id.ToString(), ["provider"] = "viator", ["bookingUrl"] = "https://viator.example/x",
            ["expiresAt"] = DateTimeOffset.Parse(await api.AdminScalarAsync<string>("SELECT to_char(now() + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")).ToString("O"),
        };
        body[member] = json is null ? null : JsonNode.Parse(json);
        await (await agent.Client.PostAsync("/api/places/booking-links", HttpTestExtensions.RawJson(body.ToJsonString()))).ValidationProblemAsync(field);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM booking_links WHERE itinerary_item_id = @id", new { id }));
    }
}

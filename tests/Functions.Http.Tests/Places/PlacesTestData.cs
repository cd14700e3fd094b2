using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;

namespace TravelFunctions.Tests.Places;

/// <summary>A small catalog written through the API by an agent with the catalog scope. Ids are unique per call, so tests sharing a database never collide.</summary>
public static class PlacesTestData
{
    public const string Catalog = "agents:catalog";

    public static object AlwaysOpen => Days(new[] { new { open = "00:00", close = "24:00" } });

    public static Dictionary<string, object> Days(object intervals) =>
        new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.ToDictionary(d => d, _ => intervals);

    public static object Country(string name, string timezone = "Europe/Paris") => new
    {
        name, centroid = new { lat = 46.6, lon = 2.2 }, currencyCode = "EUR", timezone, popularityScore = 0.95m,
        dailyCost = new { budget = 70, mid = 160, luxury = 420 },
    };

    public static object City(string googlePlacesId, string countryCode, string name, double lat, double lon, string[]? aliases = null,
        string? timezone = null) => new
    {
        googlePlacesId, countryCode, name, nameLocal = name, aliases = aliases ?? [], location = new { lat, lon }, cityType = "major_city",
        population = 2_100_000, popularityScore = 0.9m, iataCode = "PAR", timezone,
    };

    public static object Attraction(Guid cityId, string name, double lat, double lon, string type = "museum", string? googlePlacesId = null,
        string? tripadvisorId = null, object? openingHours = null, string[]? categories = null, int reviewCount = 100) => new
    {
        cityId, name, type, categories = categories ?? new[] { "art" }, address = "Somewhere 1", location = new { lat, lon },
        openingHours, typicalVisitMinutes = 120, crowdedness = "high", pricingType = "paid", priceAdult = new { amount = 22m, currency = "EUR" },
        rating = 4.7m, reviewCount, accessibility = new { wheelchairAccessible = true }, tags = new[] { "iconic" },
        externalIds = new { googlePlaces = googlePlacesId ?? "gp-" + Guid.NewGuid().ToString("N"), tripadvisor = tripadvisorId },
        imageUrls = new[] { "https://images.example/1.jpg" }, externalData = new { source = "google", raw = 1 }, isVerified = true,
    };

    public static object Area(Guid cityId, string name, string? description = "Narrow streets, galleries", string[]? tags = null) => new
    {
        cityId, name, description, center = new { lat = 48.8575, lon = 2.3592 }, tags = tags ?? new[] { "nightlife", "shopping" },
    };

    /// <summary>reviewDate null: undated. externalReviewId unique per call unless given.</summary>
    public static object Review(Guid attractionId, string? reviewDate, int rating = 5, string? externalReviewId = null, string source = "google",
        string text = "Worth the queue.") => new
    {
        attractionId, source, externalReviewId = externalReviewId ?? "rv-" + Guid.NewGuid().ToString("N"), authorName = "A. Traveller", rating,
        text, language = "en", reviewDate,
    };

    /// <summary>
    /// An ISO code no other test of the run uses (the catalog keys countries by it). Never one starting with Q: the
    /// negative tests use QQ, QR, QZ as codes that must stay absent, and a random pick of one made them fail now and then.
    /// </summary>
    public static string NewIsoCode()
    {
        var n = Random.Shared.Next(25 * 26);
        var first = (char)('A' + n / 26);
        return $"{(first >= 'Q' ? (char)(first + 1) : first)}{(char)('A' + n % 26)}";
    }

    public static async Task<JsonNode> PutCountryAsync(this TestAgent agent, string iso, object body, HttpStatusCode expected)
    {
        var response = await agent.Client.PutAsJsonAsync($"/api/places/countries/{iso}", body);
        await response.EnsureStatusAsync(expected);
        return await response.JsonAsync();
    }

    public static async Task<JsonNode> PostAsync(this TestAgent agent, string path, object body, HttpStatusCode expected)
    {
        var response = await agent.Client.PostAsJsonAsync(path, body);
        await response.EnsureStatusAsync(expected);
        return await response.JsonAsync();
    }

    /// <summary>A country with one city (at lat/lon); returns the city's id.</summary>
    public static async Task<Guid> NewCityAsync(this TestAgent agent, string name, double lat, double lon, string timezone = "Europe/Paris",
        string[]? aliases = null, string? cityTimezone = null)
    {
        var iso = await agent.NewCountryAsync(timezone);
        var city = await agent.PostAsync("/api/places/cities", City("gp-" + Guid.NewGuid().ToString("N"), iso, name, lat, lon, aliases, cityTimezone),
            HttpStatusCode.Created);
        return city["id"]!.GetValue<Guid>();
    }

    public static async Task<string> NewCountryAsync(this TestAgent agent, string timezone = "Europe/Paris")
    {
        // Two-letter codes are few: take one that is free in this database. Bounded, and any answer but 200 or 404
        // fails at once: a loop that retried every other answer spun forever when the API refused the agent.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var iso = NewIsoCode();
            using var response = await agent.Client.GetAsync($"/api/places/countries/{iso}");
            if (response.StatusCode == HttpStatusCode.OK) continue;
            await response.EnsureStatusAsync(HttpStatusCode.NotFound);
            await agent.PutCountryAsync(iso, Country("Country " + iso, timezone), HttpStatusCode.Created);
            return iso;
        }
        throw new InvalidOperationException("No free two-letter country code found in 200 tries.");
    }

    public static async Task<Guid> NewAttractionAsync(this TestAgent agent, Guid cityId, string name, double lat, double lon, string type = "museum",
        object? openingHours = null, string[]? categories = null) =>
        (await agent.PostAsync("/api/places/attractions", Attraction(cityId, name, lat, lon, type, openingHours: openingHours, categories: categories),
            HttpStatusCode.Created))["id"]!.GetValue<Guid>();
}

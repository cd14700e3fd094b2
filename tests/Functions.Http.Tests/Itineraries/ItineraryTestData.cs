using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Itineraries;

/// <summary>Itinerary documents for the trip TripTestData.NewTrip makes (2027-05-01 to 2027-05-05, two travellers), and the checks every test repeats.</summary>
public static class ItineraryTestData
{
    public static JsonObject Item(string title, string type = "meal", decimal? cost = null, string currency = "EUR", Guid? attractionId = null,
        string? status = null) => new()
    {
        ["itemType"] = type, ["title"] = title, ["startTime"] = "09:30", ["endTime"] = "11:00", ["durationMinutes"] = 90,
        ["costPerPerson"] = cost is null ? null : new JsonObject { ["amount"] = cost, ["currency"] = currency },
        ["attractionId"] = attractionId?.ToString(), ["status"] = status, ["aiReason"] = "Close to the hotel", ["aiConfidence"] = 0.8m,
    };

    public static JsonObject Day(int number, string date, params JsonObject[] items) => new()
    {
        ["dayNumber"] = number, ["date"] = date, ["city"] = "Lisbon", ["title"] = $"Day {number}", ["items"] = new JsonArray(items),
    };

    /// <summary>Three days: A B C on day 1, D E on day 2, none on day 3.</summary>
    public static JsonObject Document(bool? select = null, string generatedBy = "ai") => new()
    {
        ["title"] = "Lisbon, first draft", ["generatedBy"] = generatedBy, ["modelVersion"] = generatedBy == "manual" ? null : "planner-2027.1",
        ["select"] = select,
        ["days"] = new JsonArray(
            Day(1, "2027-05-01", Item("A", cost: 10m), Item("B", cost: 20.5m), Item("C", cost: 5m, currency: "USD")),
            Day(2, "2027-05-02", Item("D", type: "transport"), Item("E", cost: 7m, status: "skipped")),
            Day(3, "2027-05-03")),
    };

    public static StringContent Json(JsonNode body) => HttpTestExtensions.RawJson(body.ToJsonString());

    public static StringContent MergePatch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    public static async Task<JsonNode> CreateItineraryAsync(this TestUser user, Guid tripId, JsonObject? doc = null)
    {
        var response = await user.Client.PostAsync($"/api/trips/{tripId}/itineraries", Json(doc ?? Document()));
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    public static string Path(Guid tripId, JsonNode version) => $"/api/trips/{tripId}/itineraries/{version["id"]!.GetValue<Guid>()}";

    /// <summary>A request with If-Match set to the revision (null: no If-Match).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content, int? ifMatch)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (ifMatch is { } v) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        return request;
    }

    public static int Revision(this JsonNode version) => version["revision"]!.GetValue<int>();

    public static JsonNode Itinerary(this JsonNode body) => body["itinerary"] ?? body;

    public static JsonArray Days(this JsonNode version) => version.Itinerary()["days"]!.AsArray();

    /// <summary>The titles of a day's items, in position order.</summary>
    public static string[] Titles(this JsonNode version, int dayNumber) =>
        version.Days().Single(d => d!["dayNumber"]!.GetValue<int>() == dayNumber)!["items"]!.AsArray()
            .Select(i => i!["title"]!.GetValue<string>()).ToArray();

    public static JsonNode ItemNamed(this JsonNode version, string title) =>
        version.Days().SelectMany(d => d!["items"]!.AsArray()).Single(i => i!["title"]!.GetValue<string>() == title && i["status"]!.GetValue<string>() != "delayed")!;

    public static Guid Id(this JsonNode node) => node["id"]!.GetValue<Guid>();

    public static Guid DayId(this JsonNode version, int dayNumber) =>
        version.Days().Single(d => d!["dayNumber"]!.GetValue<int>() == dayNumber)!.Id();

    /// <summary>
    /// The answer's positions are 1..n per day in order, and so are the stored ones (superuser SQL): no gap, no duplicate.
    /// </summary>
    public static async Task AssertDenseAsync(this ApiFixture api, JsonNode version)
    {
        foreach (var day in version.Days())
            Assert.Equal(Enumerable.Range(1, day!["items"]!.AsArray().Count), day["items"]!.AsArray().Select(i => i!["position"]!.GetValue<int>()));
        await api.AssertDenseAsync(version.Itinerary().Id());
    }

    public static async Task AssertDenseAsync(this ApiFixture api, Guid versionId)
    {
        var broken = await api.AdminScalarAsync<long>("""
            SELECT count(*) FROM (
              SELECT d.id, count(i.id) AS n, coalesce(max(i.position), 0) AS top, count(DISTINCT i.position) AS distinct_positions,
                     coalesce(min(i.position), 1) AS bottom
                FROM itinerary_days d LEFT JOIN itinerary_items i ON i.day_id = d.id
               WHERE d.version_id = @versionId GROUP BY d.id) x
             WHERE n <> top OR distinct_positions <> n OR bottom <> 1
            """, new { versionId });
        Assert.Equal(0L, broken);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Bookings;
using TravelFunctions.Tests.Conversations;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Itineraries;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>
/// Issue 13 item 7: what the API accepts, the database stores (no documented-valid input reaches a CHECK), what it
/// refuses it names by field, and no error body carries constraint names, PostgreSQL's words or the framework's.
/// </summary>
public sealed class ValidationMatchesDatabaseTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Json(string json) => HttpTestExtensions.RawJson(json);

    /// <summary>[0,0,…] with <paramref name="count"/> zeros: 2 bytes of text per number, several times that as jsonb.</summary>
    private static string Zeros(int count) => "[" + string.Join(',', Enumerable.Repeat("0", count)) + "]";

    [Fact]
    public async Task Json_within_its_documented_text_size_is_stored_whatever_it_takes_as_jsonb()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var metadata = $$"""{"n":{{Zeros(16380)}}}""";
        Assert.True(Encoding.UTF8.GetByteCount(metadata) <= 32 * 1024);
        await (await user.Client.PostAsync($"/api/conversations/{id}/messages", Json($$"""{"role":"user","content":"hi","metadata":{{metadata}}}""")))
            .EnsureStatusAsync(HttpStatusCode.Created);

        var data = $$"""{"n":{{Zeros(8188)}}}""";
        Assert.True(Encoding.UTF8.GetByteCount(data) <= 16 * 1024);
        await (await user.Client.PostAsync("/api/events", Json($$"""{"events":[{"eventType":"view","data":{{data}}}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);

        var agent = await api.NewAgentAsync("agents:logs", "agents:search-cache");
        var request = Zeros(32767);
        Assert.True(Encoding.UTF8.GetByteCount(request) <= 64 * 1024);
        await (await agent.Client.PostAsync("/api/api-logs", Json($$"""{"logs":[{"provider":"amadeus","endpoint":"/x","method":"GET","durationMs":5,"request":{{request}},"response":{{request}}}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);

        // 32 parameters, each a 64-character name and a 256-character value (3 bytes of UTF-8 each).
        var parameters = new JsonObject();
        for (var i = 0; i < 32; i++) parameters[$"p{i:D2}" + new string('x', 61)] = new string('€', 256);
        var results = Zeros(1_048_575);
        Assert.True(Encoding.UTF8.GetByteCount(results) <= 2 * 1024 * 1024);
        await (await agent.Client.PutAsync("/api/search-cache/flight", Json($$"""{"parameters":{{parameters.ToJsonString()}},"results":{{results}}}""")))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(1_048_575, await api.AdminScalarAsync<int>(
            "SELECT jsonb_array_length(results) FROM flight_search_cache WHERE params ? @name", new { name = "p00" + new string('x', 61) }));
    }

    [Fact]
    public async Task Codes_with_a_trailing_newline_are_400_naming_the_field_not_a_constraint()
    {
        // .NET's $ matches before a final newline; PostgreSQL's does not: the validators anchor with \z.
        var user = await api.NewUserAsync();
        var trip = System.Text.Json.JsonSerializer.SerializeToNode(TripTestData.NewTrip())!.AsObject();
        trip["originCountry"] = "FR\n";
        await (await user.Client.PostAsync("/api/trips", Json(trip.ToJsonString()))).ValidationProblemAsync("originCountry");
        trip["originCountry"] = "FR";
        trip["budget"]!["currency"] = "EUR\n";
        await (await user.Client.PostAsync("/api/trips", Json(trip.ToJsonString()))).ValidationProblemAsync("budget.currency");

        await (await user.Client.PatchAsync("/api/users/me", Json("""{"preferences":{"language":"en\n"}}"""))).ValidationProblemAsync("preferences.language");
        await (await user.Client.PatchAsync("/api/users/me", Json("""{"preferences":{"homeAirport":"LIS\n"}}"""))).ValidationProblemAsync("preferences.homeAirport");

        var tripId = await api.NewTripAsync(user.Id);
        var booking = BookingTestData.Body();
        booking["currency"] = "EUR\n";
        await (await user.Client.PostAsync($"/api/trips/{tripId}/bookings", booking.Json())).ValidationProblemAsync("currency");

        var agent = await api.NewAgentAsync("agents:logs");
        await (await agent.Client.PostAsync("/api/api-logs", Json("""{"logs":[{"provider":"amadeus\n","endpoint":"/x","method":"GET","durationMs":5}]}""")))
            .ValidationProblemAsync("logs[0].provider");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM trips WHERE owner_id = @id AND title <> 'Summer in New York'", new { id = user.Id }));
    }

    [Fact]
    public async Task Email_and_phone_are_checked_as_they_are_stored()
    {
        var client = api.Anonymous();
        var email = $"u{Guid.NewGuid():N}@example.test";
        await (await client.PostAsJsonAsync("/api/users", new { email = " @example.test", password = "correct horse battery", firstName = "A", lastName = "B" }))
            .ValidationProblemAsync("email");
        await (await client.PostAsJsonAsync("/api/users", new { email, password = "correct horse battery", firstName = "A", lastName = "B", phone = "1234 " }))
            .ValidationProblemAsync("phone");
        var user = await api.NewUserAsync();
        await (await user.Client.PatchAsync("/api/users/me", Json("""{"phone":"     "}"""))).ValidationProblemAsync("phone");
        await (await user.Client.PatchAsync("/api/users/me", Json("""{"phone":" +351 912 345 678 "}"""))).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("+351 912 345 678", await api.AdminScalarAsync<string>("SELECT phone FROM users WHERE id = @id", new { id = user.Id }));
    }

    [Fact]
    public async Task Text_postgresql_cannot_store_is_400_naming_the_member()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var messages = $"/api/conversations/{id}/messages";
        await (await user.Client.PostAsync("/api/conversations", Json("""{"agentType":"support","title":"a\u0000b"}"""))).ValidationProblemAsync("title");
        await (await user.Client.PostAsync(messages, Json("""{"role":"user","content":"hi","metadata":{"x":{"y":["ok","\u0000"]}}}""")))
            .ValidationProblemAsync("metadata.x.y[1]");
        await (await user.Client.PostAsync(messages, Json("""{"role":"user","content":"hi","metadata":{"x":"\ud800"}}"""))).ValidationProblemAsync("metadata.x");
        await (await user.Client.PostAsync(messages, Json("""{"role":"user","content":"hi","metadata":{"n":1e999999}}"""))).ValidationProblemAsync("metadata.n");
        await (await user.Client.PostAsync(messages, Json("""{"role":"user","content":"hi","metadata":{"n\u0000":1}}"""))).ValidationProblemAsync("metadata.n");
        await (await user.Client.PostAsync("/api/events", Json("""{"events":[{"eventType":"view"},{"eventType":"view","sessionId":"s\u0000"}]}""")))
            .ValidationProblemAsync("events[1].sessionId");
        var invalidUtf8 = new ByteArrayContent([.. Encoding.UTF8.GetBytes("{\"role\":\"user\",\"content\":\"hi\",\"metadata\":{\"x\":\""), 0xFF,
            .. Encoding.UTF8.GetBytes("\"}}")]);
        invalidUtf8.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await user.Client.PostAsync(messages, invalidUtf8)).ValidationProblemAsync("metadata.x");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
    }

    [Fact]
    public async Task Problem_bodies_of_hostile_input_carry_no_database_or_framework_words()
    {
        var user = await api.NewUserAsync();
        var conversation = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var messages = $"/api/conversations/{conversation}/messages";
        var tripId = await api.NewTripAsync(user.Id);
        var agent = await api.NewAgentAsync("agents:logs", "agents:search-cache");
        var c = user.Client;
        var hostile = new List<(string What, Func<Task<HttpResponseMessage>> Send)>
        {
            ("NUL in a title", () => c.PostAsync("/api/conversations", Json("""{"agentType":"support","title":"\u0000"}"""))),
            ("lone surrogate in a title", () => c.PostAsync("/api/conversations", Json("""{"agentType":"support","title":"\udc00"}"""))),
            ("NUL in metadata", () => c.PostAsync(messages, Json("""{"role":"user","content":"x","metadata":{"a":"\u0000"}}"""))),
            ("huge exponent in metadata", () => c.PostAsync(messages, Json("""{"role":"user","content":"x","metadata":{"a":1e-99999}}"""))),
            ("repeated member", () => c.PostAsync(messages, Json("""{"role":"user","role":"user","content":"x"}"""))),
            ("nested 40 deep", () => c.PostAsync(messages, Json($$"""{"role":"user","content":"x","metadata":{{StrictJsonTests.Nested(40)}}}"""))),
            ("wrong type", () => c.PostAsync(messages, Json("""{"role":5,"content":"x"}"""))),
            ("not JSON", () => c.PostAsync(messages, Json("""{"role":"""))),
            ("two JSON values", () => c.PostAsync(messages, Json("""{"role":"user","content":"x"} {}"""))),
            ("unknown member", () => c.PostAsync(messages, Json("""{"role":"user","content":"x","drop":"table"}"""))),
            ("not UTF-8", () => c.PostAsync(messages, new StringContent("""{"role":"user","content":"é"}""", Encoding.Latin1, "application/json"))),
            ("offset-less time", () => c.PostAsync("/api/events", Json("""{"events":[{"eventType":"view","occurredAt":"2025-06-01T09:30:00"}]}"""))),
            ("event type with newline", () => c.PostAsync("/api/events", Json("""{"events":[{"eventType":"view\n"}]}"""))),
            ("country with newline", () => c.PatchAsync($"/api/trips/{tripId}", Json("""{"originCountry":"PT\n"}"""))),
            ("currency with newline", () => c.PostAsync($"/api/trips/{tripId}/bookings", Json(BookingTestData.Body(currency: "EUR\n").ToJsonString()))),
            ("amount beyond decimal", () => c.PostAsync($"/api/trips/{tripId}/bookings", Json(BookingTestData.Body().ToJsonString().Replace("850.5", "1e999")))),
            ("phone of blanks", () => c.PatchAsync("/api/users/me", Json("""{"phone":"     "}"""))),
            ("language with newline", () => c.PatchAsync("/api/users/me", Json("""{"preferences":{"language":"pt\n"}}"""))),
            ("provider with newline", () => agent.Client.PostAsync("/api/api-logs", Json("""{"logs":[{"provider":"x\n","endpoint":"/","method":"GET","durationMs":1}]}"""))),
            ("NUL in a list query", () => c.GetAsync("/api/trips?q=a%00b")),
            ("search value with NUL", () => agent.Client.PutAsync("/api/search-cache/hotel", Json("""{"parameters":{"city":"\u0000"},"results":[]}"""))),
            ("search result with a lone surrogate", () => agent.Client.PutAsync("/api/search-cache/hotel", Json("""{"parameters":{"city":"LIS"},"results":["\ud800"]}"""))),
        };
        string[] forbidden = ["_check", "_fkey", "_pkey", "constraint", "violat", "Npgsql", "Postgres", "SQLSTATE", "relation ",
            "System.", "Exception", "LineNumber", "BytePosition", "could not be converted", "JSON value", "$.", "Microsoft."];
        var failures = new List<string>();
        foreach (var (what, send) in hostile)
        {
            var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode is < 400 or > 499) failures.Add($"{what}: {(int)response.StatusCode} {body}");
            else if (forbidden.FirstOrDefault(body.Contains) is { } word) failures.Add($"{what}: '{word}' in {body}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
    [Fact]
    public async Task Itinerary_values_at_their_documented_limits_are_stored_and_past_them_are_400_or_409_never_a_constraint()
    {
        var user = await api.NewUserAsync();
        var trip = (await user.CreateTripAsync(TripTestData.NewTrip(start: "2027-01-01", end: "2027-12-31")))["id"]!.GetValue<Guid>();
        JsonObject Full(int i) => new()
        {
            ["itemType"] = "attraction", ["title"] = new string('t', 200), ["description"] = new string('d', 4000), ["startTime"] = "00:00",
            ["endTime"] = "23:59", ["durationMinutes"] = 1440, ["costPerPerson"] = new JsonObject { ["amount"] = 9_999_999_999.99m, ["currency"] = "EUR" },
            ["bookingRequired"] = true, ["status"] = i % 2 == 0 ? "completed" : "skipped", ["aiReason"] = new string('r', 2000), ["aiConfidence"] = 1m,
            ["userRating"] = 5,
        };
        var doc = new JsonObject
        {
            ["title"] = new string('v', 200), ["generatedBy"] = "ai", ["modelVersion"] = new string('m', 100),
            ["days"] = new JsonArray(
                new JsonObject { ["dayNumber"] = 366, ["date"] = "2027-12-31", ["city"] = new string('c', 100), ["title"] = new string('x', 200),
                                 ["items"] = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)Full(i)).ToArray()) },
                new JsonObject { ["dayNumber"] = 1, ["date"] = "2027-01-01" }),
        };
        var version = await user.CreateItineraryAsync(trip, doc);
        Assert.Equal(100, version.Titles(366).Length);
        var path = ItineraryTestData.Path(trip, version);

        // One more item in the full day: 409 (the position CHECK's limit), not a 400 without a field or a 500.
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":366,"itemType":"meal","title":"One too many"}""")))
            .ProblemAsync(HttpStatusCode.Conflict);
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":1,"itemType":"meal","title":"X","costPerPerson":{"amount":10000000000,"currency":"EUR"}}""")))
            .ValidationProblemAsync("costPerPerson.amount");
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":1,"itemType":"meal","title":"X","costPerPerson":{"amount":1,"currency":"EUR\n"}}""")))
            .ValidationProblemAsync("costPerPerson.currency");
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":1,"itemType":"meal","title":"X","startTime":"10:00\n"}""")))
            .ValidationProblemAsync("startTime");
        await (await user.Client.PostAsync(path + "/items", Json($$"""{"dayNumber":1,"itemType":"meal","title":"{{new string('t', 201)}}"}""")))
            .ValidationProblemAsync("title");
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":1,"itemType":"meal","title":"X","aiReason":""}""")))
            .ValidationProblemAsync("aiReason");
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":367,"itemType":"meal","title":"X"}""")))
            .ValidationProblemAsync("dayNumber");
        await (await user.Client.PostAsync(path + "/items", Json("""{"dayNumber":1,"position":101,"itemType":"meal","title":"X"}""")))
            .ValidationProblemAsync("position");
        Assert.Equal(100L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_items WHERE version_id = @id", new { id = version["id"]!.GetValue<Guid>() }));
    }
}

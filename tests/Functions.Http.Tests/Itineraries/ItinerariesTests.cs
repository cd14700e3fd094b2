using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;
using static TravelFunctions.Tests.Itineraries.ItineraryTestData;

namespace TravelFunctions.Tests.Itineraries;

/// <summary>Issue 14 (itineraries): versions, whole reads, item edits, moves, reorders, delays, selection and totals, through the app.</summary>
public sealed class ItinerariesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<(TestUser Owner, Guid Trip)> NewTripAsync()
    {
        var owner = await api.NewUserAsync();
        return (owner, (await owner.CreateTripAsync())["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_whole_document_is_created_in_one_request_and_read_whole_in_one_get_with_its_etag()
    {
        var (owner, trip) = await NewTripAsync();
        var response = await owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(Document()));
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        var created = await response.JsonAsync();
        var path = Path(trip, created);
        Assert.Equal(path, response.Headers.Location?.OriginalString);
        Assert.Equal($"\"{created.Revision()}\"", response.Headers.ETag?.Tag);
        Assert.True(created["isSelected"]!.GetValue<bool>(), "the trip's first version is selected");
        Assert.Equal(1, created["number"]!.GetValue<int>());
        Assert.Equal("ai", created["generatedBy"]!.GetValue<string>());
        Assert.Equal("planner-2027.1", created["modelVersion"]!.GetValue<string>());
        Assert.Equal(["A", "B", "C"], created.Titles(1));
        Assert.Equal(["D", "E"], created.Titles(2));
        Assert.Empty(created.Titles(3));
        var a = created.ItemNamed("A");
        Assert.Equal("09:30", a["startTime"]!.GetValue<string>());
        Assert.Equal(10m, a["costPerPerson"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("planned", a["status"]!.GetValue<string>());
        await api.AssertDenseAsync(created);

        var get = await owner.Client.GetAsync(path);
        await get.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(response.Headers.ETag, get.Headers.ETag);
        Assert.Equal(created.ToJsonString(), (await get.JsonAsync()).ToJsonString());

        // Totals from the items: E is skipped (not an activity, not in the cost); two travellers double the total.
        var totals = created["totals"]!;
        Assert.Equal(5, totals["itemCount"]!.GetValue<int>());
        Assert.Equal(4, totals["activityCount"]!.GetValue<int>());
        Assert.Equal(2, totals["travelerCount"]!.GetValue<int>());
        var costs = totals["estimatedCost"]!.AsArray();
        Assert.Equal(["EUR", "USD"], costs.Select(c => c!["currency"]!.GetValue<string>()));
        Assert.Equal(30.5m, costs[0]!["perPerson"]!.GetValue<decimal>());
        Assert.Equal(61m, costs[0]!["total"]!.GetValue<decimal>());
        Assert.Equal(10m, costs[1]!["total"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Exactly_one_version_is_selected_later_ones_only_when_asked_and_selecting_switches_in_one_step()
    {
        var (owner, trip) = await NewTripAsync();
        var v1 = await owner.CreateItineraryAsync(trip);
        var v2 = await owner.CreateItineraryAsync(trip, Document(generatedBy: "manual"));
        Assert.False(v2["isSelected"]!.GetValue<bool>());
        Assert.Equal(2, v2["number"]!.GetValue<int>());
        Assert.Null(v2["modelVersion"]);
        var v3 = await owner.CreateItineraryAsync(trip, Document(select: true, generatedBy: "hybrid"));
        Assert.True(v3["isSelected"]!.GetValue<bool>());
        Assert.Equal([v3.Id()], await SelectedAsync(trip));

        var select = await owner.Client.PostAsync(Path(trip, v2) + "/select", null);
        await select.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True((await select.JsonAsync())["isSelected"]!.GetValue<bool>());
        Assert.Equal([v2.Id()], await SelectedAsync(trip));
        await (await owner.Client.PostAsync(Path(trip, v2) + "/select", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal([v2.Id()], await SelectedAsync(trip));

        // The list, newest first, in keyset pages.
        var first = await (await owner.Client.GetAsync($"/api/trips/{trip}/itineraries?limit=2")).JsonAsync();
        Assert.Equal([v3.Id(), v2.Id()], first["items"]!.AsArray().Select(i => i!.Id()));
        Assert.Equal(5, first["items"]![1]!["itemCount"]!.GetValue<int>());
        var next = first["nextCursor"]!.GetValue<string>();
        var second = await (await owner.Client.GetAsync($"/api/trips/{trip}/itineraries?limit=2&cursor={next}")).JsonAsync();
        Assert.Equal([v1.Id()], second["items"]!.AsArray().Select(i => i!.Id()));
        Assert.Null(second["nextCursor"]);
        Assert.Equal(3, second["items"]![0]!["dayCount"]!.GetValue<int>());
        await (await owner.Client.GetAsync($"/api/trips/{trip}/itineraries?cursor=nonsense")).ValidationProblemAsync("cursor");
    }

    private async Task<Guid[]> SelectedAsync(Guid trip)
    {
        await using var admin = new Npgsql.NpgsqlConnection(api.Database.Admin);
        return (await Dapper.SqlMapper.QueryAsync<Guid>(admin, "SELECT id FROM itinerary_versions WHERE trip_id = @trip AND is_selected", new { trip })).ToArray();
    }

    [Fact]
    public async Task Owner_and_editors_write_viewers_read_others_get_404()
    {
        var (owner, trip) = await NewTripAsync();
        var editor = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        await owner.ShareAsync(trip, editor, "editor");
        await owner.ShareAsync(trip, viewer, "viewer");
        var version = await owner.CreateItineraryAsync(trip);
        var path = Path(trip, version);
        var item = version.ItemNamed("A").Id();
        var before = await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_items WHERE trip_id = @trip", new { trip });

        await (await viewer.Client.GetAsync(path)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await viewer.Client.GetAsync($"/api/trips/{trip}/itineraries")).EnsureStatusAsync(HttpStatusCode.OK);
        foreach (var (user, status) in new[] { (viewer, HttpStatusCode.Forbidden), (stranger, HttpStatusCode.NotFound) })
        {
            await (await user.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(Document()))).ProblemAsync(status);
            await (await user.Client.PostAsync(path + "/items", Json(new JsonObject { ["dayNumber"] = 1, ["itemType"] = "meal", ["title"] = "X" }))).ProblemAsync(status);
            await (await user.Client.PatchAsync($"{path}/items/{item}", MergePatch("""{"title":"X"}"""))).ProblemAsync(status);
            await (await user.Client.DeleteAsync($"{path}/items/{item}")).ProblemAsync(status);
            await (await user.Client.PostAsync($"{path}/items/{item}/move", Json(new JsonObject { ["toDayNumber"] = 2 }))).ProblemAsync(status);
            await (await user.Client.PostAsync($"{path}/items/{item}/delay", Json(new JsonObject { ["toDayNumber"] = 2 }))).ProblemAsync(status);
            await (await user.Client.PostAsync($"{path}/days/{version.DayId(2)}/reorder", Json(new JsonObject { ["itemIds"] = new JsonArray() }))).ProblemAsync(status);
            await (await user.Client.PostAsync(path + "/select", null)).ProblemAsync(status);
        }
        await (await stranger.Client.GetAsync(path)).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.GetAsync($"/api/trips/{trip}/itineraries")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.GetAsync($"/api/trips/{trip}/itineraries/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_items WHERE trip_id = @trip", new { trip }));
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));

        var added = await editor.Client.PostAsync(path + "/items", Json(new JsonObject { ["dayNumber"] = 3, ["itemType"] = "meal", ["title"] = "By the editor" }));
        await added.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.Equal(["By the editor"], (await added.JsonAsync()).Titles(3));
        await (await editor.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(Document()))).EnsureStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Add_edit_and_remove_keep_positions_dense_move_the_etag_and_a_stale_if_match_is_412_writing_nothing()
    {
        var (owner, trip) = await NewTripAsync();
        var version = await owner.CreateItineraryAsync(trip);
        var path = Path(trip, version);
        var revision = version.Revision();

        var add = await owner.Client.SendAsync(Request(HttpMethod.Post, path + "/items",
            Json(new JsonObject { ["dayId"] = version.DayId(1).ToString(), ["position"] = 2, ["itemType"] = "free_time", ["title"] = "  Nap  " }), revision));
        await add.EnsureStatusAsync(HttpStatusCode.Created);
        var added = await add.JsonAsync();
        var afterAdd = added.Itinerary();
        Assert.Equal(["A", "Nap", "B", "C"], afterAdd.Titles(1));
        Assert.Equal(afterAdd.ItemNamed("Nap").Id(), added["itemId"]!.GetValue<Guid>());
        Assert.NotEqual(revision, afterAdd.Revision());
        Assert.Equal($"\"{afterAdd.Revision()}\"", add.Headers.ETag?.Tag);
        await api.AssertDenseAsync(afterAdd);

        // The old ETag no longer matches: 412, and nothing changes.
        var stale = await owner.Client.SendAsync(Request(HttpMethod.Post, path + "/items",
            Json(new JsonObject { ["dayNumber"] = 1, ["itemType"] = "meal", ["title"] = "Late" }), revision));
        await stale.ProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await owner.Client.SendAsync(Request(HttpMethod.Delete, $"{path}/items/{afterAdd.ItemNamed("A").Id()}", null, revision)))
            .ProblemAsync(HttpStatusCode.PreconditionFailed);
        var unchanged = await (await owner.Client.GetAsync(path)).JsonAsync();
        Assert.Equal(afterAdd.ToJsonString(), unchanged.ToJsonString());

        // Appended without a position; removing closes the gap.
        var appended = (await (await owner.Client.PostAsync(path + "/items",
            Json(new JsonObject { ["dayNumber"] = 1, ["itemType"] = "meal", ["title"] = "Dinner" }))).JsonAsync()).Itinerary();
        Assert.Equal(["A", "Nap", "B", "C", "Dinner"], appended.Titles(1));
        var remove = await owner.Client.SendAsync(Request(HttpMethod.Delete, $"{path}/items/{appended.ItemNamed("Nap").Id()}", null, appended.Revision()));
        await remove.EnsureStatusAsync(HttpStatusCode.OK);
        var removed = await remove.JsonAsync();
        Assert.Equal(["A", "B", "C", "Dinner"], removed.Titles(1));
        Assert.Equal($"\"{removed.Revision()}\"", remove.Headers.ETag?.Tag);
        await api.AssertDenseAsync(removed);
        await (await owner.Client.DeleteAsync($"{path}/items/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);

        // A position past the end, an unknown day, a malformed If-Match.
        await (await owner.Client.PostAsync(path + "/items", Json(new JsonObject { ["dayNumber"] = 3, ["position"] = 2, ["itemType"] = "meal", ["title"] = "X" })))
            .ValidationProblemAsync("position");
        await (await owner.Client.PostAsync(path + "/items", Json(new JsonObject { ["dayNumber"] = 9, ["itemType"] = "meal", ["title"] = "X" })))
            .ValidationProblemAsync("dayNumber");
        var bad = new HttpRequestMessage(HttpMethod.Delete, $"{path}/items/{removed.ItemNamed("A").Id()}");
        bad.Headers.TryAddWithoutValidation("If-Match", "\"not-a-revision\"");
        await (await owner.Client.SendAsync(bad)).ProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertDenseAsync(await (await owner.Client.GetAsync(path)).JsonAsync());
    }

    [Fact]
    public async Task Move_within_a_day_and_to_another_day_and_reorder_keep_both_days_dense()
    {
        var (owner, trip) = await NewTripAsync();
        var version = await owner.CreateItineraryAsync(trip);
        var path = Path(trip, version);

        var a = version.ItemNamed("A").Id();
        var moved = await (await owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/items/{a}/move",
            Json(new JsonObject { ["toDayNumber"] = 1, ["position"] = 3 }), version.Revision()))).JsonAsync();
        Assert.Equal(["B", "C", "A"], moved.Titles(1));
        moved = await (await owner.Client.PostAsync($"{path}/items/{a}/move", Json(new JsonObject { ["toDayNumber"] = 1, ["position"] = 1 }))).JsonAsync();
        Assert.Equal(["A", "B", "C"], moved.Titles(1));

        var b = version.ItemNamed("B").Id();
        var toDay2 = await owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/items/{b}/move",
            Json(new JsonObject { ["toDayId"] = version.DayId(2).ToString(), ["position"] = 2 }), moved.Revision()));
        await toDay2.EnsureStatusAsync(HttpStatusCode.OK);
        moved = await toDay2.JsonAsync();
        Assert.Equal(["A", "C"], moved.Titles(1));
        Assert.Equal(["D", "B", "E"], moved.Titles(2));
        await api.AssertDenseAsync(moved);
        // To the end of an empty day.
        moved = await (await owner.Client.PostAsync($"{path}/items/{b}/move", Json(new JsonObject { ["toDayNumber"] = 3 }))).JsonAsync();
        Assert.Equal(["D", "E"], moved.Titles(2));
        Assert.Equal(["B"], moved.Titles(3));
        await api.AssertDenseAsync(moved);

        await (await owner.Client.PostAsync($"{path}/items/{b}/move", Json(new JsonObject { ["toDayNumber"] = 2, ["position"] = 4 }))).ValidationProblemAsync("position");
        await (await owner.Client.PostAsync($"{path}/items/{b}/move", Json(new JsonObject { ["toDayNumber"] = 2, ["toDayId"] = version.DayId(2).ToString() })))
            .ValidationProblemAsync("toDayNumber");
        await (await owner.Client.PostAsync($"{path}/items/{b}/move", Json(new JsonObject()))).ValidationProblemAsync("toDayId");

        var day2 = moved.DayId(2);
        var ids = moved.Days().Single(d => d!.Id() == day2)!["items"]!.AsArray().Select(i => i!.Id()).Reverse().ToArray();
        var reorder = await owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/days/{day2}/reorder",
            Json(new JsonObject { ["itemIds"] = new JsonArray(ids.Select(i => (JsonNode)i.ToString()).ToArray()) }), moved.Revision()));
        await reorder.EnsureStatusAsync(HttpStatusCode.OK);
        var reordered = await reorder.JsonAsync();
        Assert.Equal(["E", "D"], reordered.Titles(2));
        Assert.NotEqual(moved.Revision(), reordered.Revision());
        await api.AssertDenseAsync(reordered);

        // Not every item of the day, an item of another day, a repeat: 400, nothing changes.
        foreach (var wrong in new[] { ids[..1], [ids[0], reordered.ItemNamed("A").Id()], [ids[0], ids[0]] })
            await (await owner.Client.PostAsync($"{path}/days/{day2}/reorder",
                Json(new JsonObject { ["itemIds"] = new JsonArray(wrong.Select(i => (JsonNode)i.ToString()).ToArray()) }))).ValidationProblemAsync("itemIds");
        await (await owner.Client.PostAsync($"{path}/days/{Guid.NewGuid()}/reorder", Json(new JsonObject { ["itemIds"] = new JsonArray() })))
            .ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["E", "D"], (await (await owner.Client.GetAsync(path)).JsonAsync()).Titles(2));
    }

    [Fact]
    public async Task Delay_keeps_the_original_as_delayed_pointing_at_a_copy_in_the_other_day_and_the_totals_count_it_once()
    {
        var (owner, trip) = await NewTripAsync();
        var version = await owner.CreateItineraryAsync(trip);
        var path = Path(trip, version);
        var b = version.ItemNamed("B");

        var delay = await owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/items/{b.Id()}/delay",
            Json(new JsonObject { ["toDayNumber"] = 2, ["position"] = 1 }), version.Revision()));
        await delay.EnsureStatusAsync(HttpStatusCode.Created);
        var body = await delay.JsonAsync();
        var after = body.Itinerary();
        var copyId = body["itemId"]!.GetValue<Guid>();
        var original = after.Days()[0]!["items"]!.AsArray().Single(i => i!.Id() == b.Id())!;
        Assert.Equal("delayed", original["status"]!.GetValue<string>());
        Assert.Equal(copyId, original["delayedToItemId"]!.GetValue<Guid>());
        Assert.Equal(2, original["position"]!.GetValue<int>());
        Assert.Equal(["A", "B", "C"], after.Titles(1));
        Assert.Equal(["B", "D", "E"], after.Titles(2));
        var copy = after.ItemNamed("B");
        Assert.Equal(copyId, copy.Id());
        Assert.Equal("planned", copy["status"]!.GetValue<string>());
        Assert.Equal(20.5m, copy["costPerPerson"]!["amount"]!.GetValue<decimal>());
        await api.AssertDenseAsync(after);
        Assert.Equal(version["totals"]!.ToJsonString().Replace("\"itemCount\":5", "\"itemCount\":6"), after["totals"]!.ToJsonString());

        await (await owner.Client.PostAsync($"{path}/items/{b.Id()}/delay", Json(new JsonObject { ["toDayNumber"] = 3 }))).ProblemAsync(HttpStatusCode.Conflict);
        await (await owner.Client.PostAsync($"{path}/items/{copyId}/delay", Json(new JsonObject { ["toDayNumber"] = 2 }))).ValidationProblemAsync("toDayNumber");
        await (await owner.Client.SendAsync(Request(HttpMethod.Post, $"{path}/items/{copyId}/delay",
            Json(new JsonObject { ["toDayNumber"] = 3 }), version.Revision()))).ProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(after.ToJsonString(), (await (await owner.Client.GetAsync(path)).JsonAsync()).ToJsonString());
    }

    [Fact]
    public async Task Item_patch_is_a_merge_patch_absent_keeps_null_clears_and_required_members_refuse_null()
    {
        var (owner, trip) = await NewTripAsync();
        var version = await owner.CreateItineraryAsync(trip);
        var path = Path(trip, version);
        var a = version.ItemNamed("A");
        var itemPath = $"{path}/items/{a.Id()}";

        var same = await (await owner.Client.PatchAsync(itemPath, MergePatch("{}"))).JsonAsync();
        Assert.Equal(Without(a), Without(same.ItemNamed("A")));

        var patched = await owner.Client.SendAsync(Request(HttpMethod.Patch, itemPath,
            MergePatch("""{"description":"Pastéis","costPerPerson":null,"startTime":null,"userRating":5,"status":"completed","aiReason":null}"""), same.Revision()));
        await patched.EnsureStatusAsync(HttpStatusCode.OK);
        var item = (await patched.JsonAsync()).ItemNamed("A");
        Assert.Equal("Pastéis", item["description"]!.GetValue<string>());
        Assert.Null(item["costPerPerson"]);
        Assert.Null(item["startTime"]);
        Assert.Equal("11:00", item["endTime"]!.GetValue<string>());
        Assert.Equal(5, item["userRating"]!.GetValue<int>());
        Assert.Equal("completed", item["status"]!.GetValue<string>());
        Assert.Null(item["aiReason"]);
        Assert.Equal(0.8m, item["aiConfidence"]!.GetValue<decimal>());
        Assert.Equal(90, item["durationMinutes"]!.GetValue<int>());

        var before = (await (await owner.Client.GetAsync(path)).JsonAsync()).ToJsonString();
        foreach (var (json, field) in new[]
        {
            ("""{"title":null}""", "title"), ("""{"itemType":null}""", "itemType"), ("""{"status":null}""", "status"),
            ("""{"bookingRequired":null}""", "bookingRequired"), ("""{"status":"delayed"}""", "status"), ("""{"userRating":6}""", "userRating"),
            ("""{"startTime":"25:00"}""", "startTime"), ("""{"startTime":"12:00"}""", "startTime"), ("""{"itemType":"attraction","attractionId":null,"title":""}""", "title"),
            ("""{"attractionId":"6f1c1a52-6a59-4a3e-9b1e-2a0d9f1b0c11"}""", "attractionId"), ("""{"bookingId":"6f1c1a52-6a59-4a3e-9b1e-2a0d9f1b0c11"}""", "bookingId"),
            ("""{"costPerPerson":{"amount":1.005,"currency":"EUR"}}""", "costPerPerson.amount"), ("""{"aiConfidence":1.5}""", "aiConfidence"),
            ("""{"unknown":1}""", "unknown"),
        })
            await (await owner.Client.PatchAsync(itemPath, MergePatch(json))).ValidationProblemAsync(field);
        Assert.Equal(before, (await (await owner.Client.GetAsync(path)).JsonAsync()).ToJsonString());
        await (await owner.Client.PatchAsync($"{path}/items/{Guid.NewGuid()}", MergePatch("""{"title":"X"}"""))).ProblemAsync(HttpStatusCode.NotFound);
    }

    private static string Without(JsonNode item)
    {
        var copy = item.DeepClone().AsObject();
        copy.Remove("updatedAt");
        return copy.ToJsonString();
    }

    [Theory]
    [InlineData("generatedBy", "\"robot\"", "generatedBy")]
    [InlineData("generatedBy", null, "generatedBy")]
    [InlineData("modelVersion", "\"\"", "modelVersion")]
    [InlineData("days", "[]", "days")]
    [InlineData("days", null, "days")]
    [InlineData("title", "\"   \"", "title")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01"},{"dayNumber":1,"date":"2027-05-02"}]""", "days")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01"},{"dayNumber":2,"date":"2027-05-01"}]""", "days")]
    [InlineData("days", """[{"dayNumber":0,"date":"2027-05-01"}]""", "days[0].dayNumber")]
    [InlineData("days", """[{"dayNumber":1}]""", "days[0].date")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-04-30"}]""", "days[0].date")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-06"}]""", "days[0].date")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"title":"X"}]}]""", "days[0].items[0].itemType")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal"}]}]""", "days[0].items[0].title")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"picnic","title":"X"}]}]""", "days[0].items[0].itemType")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","startTime":"9:30"}]}]""", "days[0].items[0].startTime")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","startTime":"10:00","endTime":"09:00"}]}]""", "days[0].items[0].endTime")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","durationMinutes":0}]}]""", "days[0].items[0].durationMinutes")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","costPerPerson":{"amount":5}}]}]""", "days[0].items[0].costPerPerson.currency")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","status":"delayed"}]}]""", "days[0].items[0].status")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","attractionId":"6f1c1a52-6a59-4a3e-9b1e-2a0d9f1b0c11"}]}]""", "days[0].items[0].attractionId")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"attraction","title":"X","attractionId":"6f1c1a52-6a59-4a3e-9b1e-2a0d9f1b0c11"}]}]""", "days[0].items[0].attractionId")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","bookingId":"6f1c1a52-6a59-4a3e-9b1e-2a0d9f1b0c11"}]}]""", "days[0].items[0].bookingId")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","aiConfidence":0.123}]}]""", "days[0].items[0].aiConfidence")]
    [InlineData("days", """[{"dayNumber":1,"date":"2027-05-01","items":[{"itemType":"meal","title":"X","userRating":0}]}]""", "days[0].items[0].userRating")]
    public async Task Create_refuses_bad_documents_naming_the_field_and_writes_nothing(string member, string? json, string field)
    {
        var (owner, trip) = await NewTripAsync();
        var doc = Document(generatedBy: "hybrid");
        doc[member] = json is null ? null : JsonNode.Parse(json);
        if (member == "modelVersion") doc["generatedBy"] = "ai";
        await (await owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(doc))).ValidationProblemAsync(field);
        var manual = Document(generatedBy: "manual");
        manual["modelVersion"] = "gpt";
        await (await owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(manual))).ValidationProblemAsync("modelVersion");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));
    }

    [Fact]
    public async Task A_document_over_one_mebibyte_is_413_and_writes_nothing()
    {
        var (owner, trip) = await NewTripAsync();
        var doc = Document();
        doc["title"] = new string('x', 1024 * 1024);
        await (await owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(doc))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));
    }

    [Fact]
    public async Task A_linked_booking_must_be_of_the_same_trip()
    {
        var (owner, trip) = await NewTripAsync();
        var otherTrip = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        var mine = await BookingAsync(trip);
        var elsewhere = await BookingAsync(otherTrip);
        var doc = Document();
        var item = (JsonObject)doc["days"]![1]!["items"]![0]!;
        item["bookingRequired"] = true;
        item["bookingId"] = elsewhere.ToString();
        await (await owner.Client.PostAsync($"/api/trips/{trip}/itineraries", Json(doc))).ValidationProblemAsync("days[1].items[0].bookingId");
        item["bookingId"] = mine.ToString();
        var version = await owner.CreateItineraryAsync(trip, doc);
        var d = version.ItemNamed("D");
        Assert.Equal(mine, d["bookingId"]!.GetValue<Guid>());
        Assert.True(d["bookingRequired"]!.GetValue<bool>());
        var path = $"{Path(trip, version)}/items/{d.Id()}";
        await (await owner.Client.PatchAsync(path, MergePatch($$"""{"bookingId":"{{elsewhere}}"}"""))).ValidationProblemAsync("bookingId");
        var cleared = await (await owner.Client.PatchAsync(path, MergePatch("""{"bookingId":null}"""))).JsonAsync();
        Assert.Null(cleared.ItemNamed("D")["bookingId"]);

        // The database says so too, whatever statement tries it (superuser: no policy, the foreign key still holds).
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE itinerary_items SET booking_id = @elsewhere WHERE id = @id", new { elsewhere, id = d.Id() }));
        Assert.Equal("itinerary_items_booking_same_trip", ex.ConstraintName);
    }

    private Task<Guid> BookingAsync(Guid trip) => api.AdminScalarAsync<Guid>("""
        INSERT INTO bookings (trip_id, booking_type, confirmation_code, details, total_amount, currency, starts_at)
        VALUES (@trip, 'activity', upper(substr(md5(random()::text), 1, 8)), '{"activityName":"Tour"}', 25, 'EUR', now())
        RETURNING id
        """, new { trip });

    [Fact]
    public async Task A_version_is_deleted_whole_but_the_selected_one_only_when_it_is_the_last()
    {
        var (owner, trip) = await NewTripAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        await owner.ShareAsync(trip, viewer, "viewer");
        var v1 = await owner.CreateItineraryAsync(trip);
        var v2 = await owner.CreateItineraryAsync(trip);

        await (await viewer.Client.DeleteAsync(Path(trip, v2))).ProblemAsync(HttpStatusCode.Forbidden);
        await (await stranger.Client.DeleteAsync(Path(trip, v2))).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.DeleteAsync(Path(trip, v1))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(2L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));

        await (await owner.Client.DeleteAsync(Path(trip, v2))).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_items WHERE version_id = @id", new { id = v2.Id() }));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_days WHERE version_id = @id", new { id = v2.Id() }));
        await (await owner.Client.GetAsync(Path(trip, v2))).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.DeleteAsync(Path(trip, v2))).ProblemAsync(HttpStatusCode.NotFound);

        // The last one goes even though selected; then the trip's dates are free again.
        await (await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"endDate":"2027-05-01","destinations":null}"""))).ProblemAsync(HttpStatusCode.Conflict);
        await (await owner.Client.DeleteAsync(Path(trip, v1))).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"endDate":"2027-05-01","destinations":null}"""))).EnsureStatusAsync(HttpStatusCode.OK);
        var next = await owner.CreateItineraryAsync(trip, new JsonObject
        {
            ["generatedBy"] = "manual", ["days"] = new JsonArray(Day(1, "2027-05-01", Item("Only"))),
        });
        Assert.True(next["isSelected"]!.GetValue<bool>());
        Assert.Equal(1, next["number"]!.GetValue<int>());

        // Deleting the trip (as the app's role) takes its itineraries with it.
        await (await owner.Client.DeleteAsync($"/api/trips/{trip}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        foreach (var table in new[] { "itinerary_versions", "itinerary_days", "itinerary_items" })
            Assert.Equal(0L, await api.AdminScalarAsync<long>($"SELECT count(*) FROM {table} WHERE trip_id = @trip", new { trip }));
    }

    [Fact]
    public async Task Days_stay_inside_the_trip_and_the_trip_dates_cannot_strand_them()
    {
        var (owner, trip) = await NewTripAsync();
        var version = await owner.CreateItineraryAsync(trip);

        // Shrinking the trip past day 3 (2027-05-03) is a 409 and changes nothing; widening it, or shrinking only past empty dates, is fine.
        var patch = await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"endDate":"2027-05-02","destinations":null}"""));
        Assert.Contains("2027-05-03", (await patch.ProblemAsync(HttpStatusCode.Conflict))["detail"]!.GetValue<string>());
        await (await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"startDate":"2027-05-02","destinations":null}"""))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(new DateOnly(2027, 5, 5), await api.AdminScalarAsync<DateOnly>("SELECT end_date FROM trips WHERE id = @trip", new { trip }));
        await (await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"endDate":"2027-05-03","destinations":null}"""))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await owner.Client.PatchAsync($"/api/trips/{trip}", MergePatch("""{"endDate":"2027-05-09"}"""))).EnsureStatusAsync(HttpStatusCode.OK);

        // The database refuses both directions on its own.
        var stranding = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE trips SET end_date = DATE '2027-05-02' WHERE id = @trip", new { trip }));
        Assert.Equal("itinerary_days_inside_trip", stranding.ConstraintName);
        var outside = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync("""
            INSERT INTO itinerary_days (version_id, trip_id, day_number, date) VALUES (@version, @trip, 9, DATE '2027-06-01')
            """, new { version = version.Id(), trip }));
        Assert.Equal("itinerary_days_inside_trip", outside.ConstraintName);
    }

    [Fact]
    public async Task The_database_keeps_one_selected_version_dense_positions_and_moves_the_revision_whatever_statement_runs()
    {
        var (owner, trip) = await NewTripAsync();
        var v1 = await owner.CreateItineraryAsync(trip);
        var v2 = await owner.CreateItineraryAsync(trip);
        var a = v1.ItemNamed("A").Id();

        var two = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE itinerary_versions SET is_selected = true WHERE id = @id", new { id = v2.Id() }));
        Assert.Equal("itinerary_versions_selected_uq", two.ConstraintName);
        var none = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE itinerary_versions SET is_selected = false WHERE trip_id = @trip", new { trip }));
        Assert.Equal("itinerary_versions_one_selected", none.ConstraintName);

        var gap = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE itinerary_items SET position = 4 WHERE id = @a", new { a }));
        Assert.Equal("itinerary_items_dense_positions", gap.ConstraintName);
        var duplicate = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "UPDATE itinerary_items SET position = 2 WHERE id = @a", new { a }));
        Assert.Equal("itinerary_items_day_position_key", duplicate.ConstraintName);
        var hole = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => api.AdminExecAsync(
            "DELETE FROM itinerary_items WHERE id = @a", new { a }));
        Assert.Equal("itinerary_items_dense_positions", hole.ConstraintName);
        await api.AssertDenseAsync(v1.Id());

        // One revision step per transaction, however many rows it changed.
        await api.AdminExecAsync("""
            UPDATE itinerary_items SET position = CASE position WHEN 1 THEN 3 WHEN 3 THEN 1 ELSE position END WHERE day_id = @day
            """, new { day = v1.DayId(1) });
        Assert.Equal(v1.Revision() + 1, await api.AdminScalarAsync<int>("SELECT revision FROM itinerary_versions WHERE id = @id", new { id = v1.Id() }));
        Assert.Equal(v2.Revision(), await api.AdminScalarAsync<int>("SELECT revision FROM itinerary_versions WHERE id = @id", new { id = v2.Id() }));
        await api.AssertDenseAsync(v1.Id());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Conversations;

public sealed class ConversationsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Create_post_messages_list_and_close()
    {
        var user = await api.NewUserAsync();
        var conversation = await user.StartConversationAsync(title: "  Lisbon ideas  ");
        Assert.Equal("trip_planning", conversation["agentType"]!.GetValue<string>());
        Assert.Equal("active", conversation["status"]!.GetValue<string>());
        Assert.Equal("Lisbon ideas", conversation["title"]!.GetValue<string>());
        Assert.Null(conversation["lastMessageAt"]);
        var id = conversation["id"]!.GetValue<Guid>();

        var first = await user.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "Where should I eat?" });
        await first.EnsureStatusAsync(HttpStatusCode.Created);
        var agent = await api.NewAgentAsync("agents:chat");
        var reply = await agent.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new
        {
            role = "agent", content = "Try Time Out Market.", agentName = "planner-v2",
            metadata = new { model = "gpt", sources = new[] { "a", "b" } }, inputTokens = 120, outputTokens = 30,
        });
        await reply.EnsureStatusAsync(HttpStatusCode.Created);
        var replyBody = await reply.JsonAsync();
        Assert.Equal("planner-v2", replyBody["agentName"]!.GetValue<string>());
        Assert.Equal("gpt", replyBody["metadata"]!["model"]!.GetValue<string>());
        Assert.Equal(30, replyBody["outputTokens"]!.GetValue<int>());

        var messages = await (await user.Client.GetAsync($"/api/conversations/{id}/messages")).JsonAsync();
        var items = messages["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.Equal("agent", items[0]!["role"]!.GetValue<string>()); // newest first
        Assert.Equal("user", items[1]!["role"]!.GetValue<string>());
        Assert.Null(messages["nextCursor"]);

        var listed = await (await user.Client.GetAsync("/api/conversations")).JsonAsync();
        var mine = listed["items"]!.AsArray().Single();
        Assert.Equal(replyBody["createdAt"]!.GetValue<DateTimeOffset>(), mine!["lastMessageAt"]!.GetValue<DateTimeOffset>());

        var closed = await user.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "closed" });
        await closed.EnsureStatusAsync(HttpStatusCode.OK);
        var closedBody = await closed.JsonAsync();
        Assert.Equal("closed", closedBody["status"]!.GetValue<string>());
        Assert.NotNull(closedBody["closedAt"]);

        await (await user.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "One more?" }))
            .ProblemAsync(HttpStatusCode.Conflict);
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "escalated", reason = "Again" }))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(2L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
    }

    [Fact]
    public async Task Escalation_needs_a_reason_and_keeps_it()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync("support"))["id"]!.GetValue<Guid>();
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "escalated" })).ValidationProblemAsync("reason");
        var escalated = await user.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "escalated", reason = "Refund dispute" });
        await escalated.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await escalated.JsonAsync();
        Assert.Equal("escalated", body["status"]!.GetValue<string>());
        Assert.Equal("Refund dispute", body["closeReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_validation_rule()
    {
        var user = await api.NewUserAsync();
        var c = user.Client;
        await (await c.PostAsJsonAsync("/api/conversations", new { title = "x" })).ValidationProblemAsync("agentType");
        await (await c.PostAsJsonAsync("/api/conversations", new { agentType = "oracle" })).ValidationProblemAsync("agentType");
        await (await c.PostAsJsonAsync("/api/conversations", new { agentType = "support", title = "   " })).ValidationProblemAsync("title");
        await (await c.PostAsJsonAsync("/api/conversations", new { agentType = "support", title = new string('t', 201) })).ValidationProblemAsync("title");
        await (await c.PostAsJsonAsync("/api/conversations", new { agentType = "support", extra = 1 })).ValidationProblemAsync("extra");
        await (await c.PostAsync("/api/conversations", HttpTestExtensions.RawJson("""{"agentType":"support","tripId":"nope"}""")))
            .ValidationProblemAsync("tripId");
        await (await c.PostAsJsonAsync("/api/conversations", new { agentType = "customer360" })).EnsureStatusAsync(HttpStatusCode.Created);

        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var messages = $"/api/conversations/{id}/messages";
        await (await c.PostAsJsonAsync(messages, new { content = "hi" })).ValidationProblemAsync("role");
        await (await c.PostAsJsonAsync(messages, new { role = "robot", content = "hi" })).ValidationProblemAsync("role");
        await (await c.PostAsJsonAsync(messages, new { role = "user" })).ValidationProblemAsync("content");
        await (await c.PostAsJsonAsync(messages, new { role = "user", content = "" })).ValidationProblemAsync("content");
        await (await c.PostAsJsonAsync(messages, new { role = "user", content = new string('é', 32769) })).ValidationProblemAsync("content");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", agentName = "" })).ValidationProblemAsync("agentName");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", agentName = new string('a', 101) })).ValidationProblemAsync("agentName");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", metadata = new[] { 1, 2 } })).ValidationProblemAsync("metadata");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", metadata = "text" })).ValidationProblemAsync("metadata");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", metadata = new { blob = new string('m', 33 * 1024) } }))
            .ValidationProblemAsync("metadata");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", inputTokens = -1 })).ValidationProblemAsync("inputTokens");
        await (await c.PostAsJsonAsync(messages, new { role = "agent", content = "hi", outputTokens = -1 })).ValidationProblemAsync("outputTokens");
        await (await c.PostAsJsonAsync($"/api/conversations/{id}/close", new { })).ValidationProblemAsync("status");
        await (await c.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "active" })).ValidationProblemAsync("status");
        await (await c.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "closed", reason = new string('r', 2001) })).ValidationProblemAsync("reason");
        await (await c.GetAsync("/api/conversations?status=open")).ValidationProblemAsync("status");
        await (await c.GetAsync("/api/conversations?limit=0")).ValidationProblemAsync("limit");
        await (await c.GetAsync("/api/conversations?cursor=bogus")).ValidationProblemAsync("cursor");
        await (await c.GetAsync($"{messages}?limit=101")).ValidationProblemAsync("limit");
        await (await c.GetAsync($"{messages}?cursor=bogus")).ValidationProblemAsync("cursor");
        await (await c.GetAsync("/api/conversations/not-a-uuid/messages")).ValidationProblemAsync("conversationId");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
    }

    [Fact]
    public async Task Another_users_conversation_is_404_everywhere_and_nothing_is_written()
    {
        var owner = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var id = (await owner.StartConversationAsync())["id"]!.GetValue<Guid>();
        await (await owner.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "mine" }))
            .EnsureStatusAsync(HttpStatusCode.Created);

        await (await stranger.Client.GetAsync($"/api/conversations/{id}/messages")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "theirs" }))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "closed" }))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.GetAsync($"/api/conversations/{Guid.NewGuid()}/messages")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await stranger.Client.GetAsync("/api/conversations")).JsonAsync())["items"]!.AsArray());

        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
        Assert.Equal("active", await api.AdminScalarAsync<string>("SELECT status FROM conversations WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Trip_conversations_need_a_readable_trip_and_its_readers_see_but_do_not_write()
    {
        var owner = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await owner.ShareAsync(tripId, viewer, "viewer");

        await (await stranger.Client.PostAsJsonAsync("/api/conversations", new { agentType = "trip_planning", tripId })).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.PostAsJsonAsync("/api/conversations", new { agentType = "trip_planning", tripId = Guid.NewGuid() }))
            .ProblemAsync(HttpStatusCode.NotFound);

        var id = (await owner.StartConversationAsync(tripId: tripId))["id"]!.GetValue<Guid>();
        await (await owner.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "Plan day 2" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        // A viewer may start their own conversation about the trip.
        await (await viewer.Client.PostAsJsonAsync("/api/conversations", new { agentType = "experience", tripId })).EnsureStatusAsync(HttpStatusCode.Created);

        var seen = await (await viewer.Client.GetAsync($"/api/conversations/{id}/messages")).JsonAsync();
        Assert.Single(seen["items"]!.AsArray());
        await (await viewer.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "me too" }))
            .ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Client.PostAsJsonAsync($"/api/conversations/{id}/close", new { status = "closed" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await stranger.Client.GetAsync($"/api/conversations/{id}/messages")).ProblemAsync(HttpStatusCode.NotFound);

        // "Mine" lists only the caller's own conversations, filterable by trip.
        var viewerList = await (await viewer.Client.GetAsync($"/api/conversations?tripId={tripId}")).JsonAsync();
        Assert.Equal("experience", viewerList["items"]!.AsArray().Single()!["agentType"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_is_newest_activity_first_with_filters_and_cursor()
    {
        var user = await api.NewUserAsync();
        var tripId = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add((await user.StartConversationAsync(tripId: i % 2 == 0 ? tripId : null))["id"]!.GetValue<Guid>());
        // Activity on the oldest moves it to the top.
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{ids[0]}/messages", new { role = "user", content = "bump" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{ids[3]}/close", new { status = "closed" })).EnsureStatusAsync(HttpStatusCode.OK);

        var walked = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await user.Client.GetAsync("/api/conversations?limit=2" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            walked.AddRange(page["items"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal([ids[0], ids[4], ids[3], ids[2], ids[1]], walked);

        var onTrip = await (await user.Client.GetAsync($"/api/conversations?tripId={tripId}")).JsonAsync();
        Assert.Equal([ids[0], ids[4], ids[2]], onTrip["items"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()));
        var closed = await (await user.Client.GetAsync("/api/conversations?status=closed")).JsonAsync();
        Assert.Equal(ids[3], closed["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Message_pages_walk_across_a_month_boundary_without_skips_or_repeats()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        // Backdate the conversation and write messages on both sides of the start of this month (UTC),
        // two of them with the same timestamp so the id breaks the tie across a page edge.
        await api.AdminExecAsync("""
            UPDATE conversations SET created_at = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '20 days' WHERE id = @id;
            INSERT INTO chat_messages (conversation_id, user_id, role, content, created_at)
            SELECT @id, @userId, 'user', 'm' || g,
                   date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                   + CASE WHEN g IN (6, 7) THEN interval '-1 hour' ELSE (g - 7) * interval '1 minute' END
              FROM generate_series(1, 15) g;
            """, new { id, userId = user.Id });
        Assert.Equal(2L, await api.AdminScalarAsync<long>(
            "SELECT count(DISTINCT tableoid) FROM chat_messages WHERE conversation_id = @id", new { id }));

        await using var admin = new Npgsql.NpgsqlConnection(api.Database.Admin);
        var expected = (await Dapper.SqlMapper.QueryAsync<Guid>(admin,
            "SELECT id FROM chat_messages WHERE conversation_id = @id ORDER BY created_at DESC, id DESC", new { id })).ToList();
        var walked = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await user.Client.GetAsync($"/api/conversations/{id}/messages?limit=4" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            walked.AddRange(page["items"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);
        Assert.Equal(15, expected.Count);
        Assert.Equal(expected, walked);
        Assert.Equal(4, pages);
    }
}

public static class ConversationTestData
{
    public static async Task<JsonNode> StartConversationAsync(this TestUser user, string agentType = "trip_planning", string? title = null, Guid? tripId = null)
    {
        var response = await user.Client.PostAsJsonAsync("/api/conversations", new { agentType, title, tripId });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }
}

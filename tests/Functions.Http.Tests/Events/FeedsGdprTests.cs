using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Conversations;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Events;

/// <summary>What the feed endpoints write shows in the user's GDPR export and goes with the user's purge.</summary>
public sealed class FeedsGdprTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Export_holds_the_feed_rows_and_the_purge_removes_them()
    {
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        var conversationId = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{conversationId}/messages", new { role = "user", content = "Hello agent" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        await (await user.Client.PostAsJsonAsync("/api/events", new { events = new[] { new { eventType = "search", data = new { q = "Rome" } } } }))
            .EnsureStatusAsync(HttpStatusCode.Accepted);
        var agent = await api.NewAgentAsync("agents:logs");
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new
        {
            logs = new object[]
            {
                new { provider = "booking.com", endpoint = "/hotels", method = "POST", status = 200, durationMs = 40, userId = user.Id, request = new { city = "Rome" } },
                new { provider = "booking.com", endpoint = "/hotels", method = "POST", status = 200, durationMs = 41, userId = other.Id },
            },
        })).EnsureStatusAsync(HttpStatusCode.Accepted);

        var export = await (await user.Client.GetAsync("/api/users/me/export")).JsonAsync();
        Assert.Equal("Hello agent", export["conversations"]![0]!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("Rome", export["userEvents"]![0]!["data"]!["q"]!.GetValue<string>());
        var logs = export["externalApiLogs"]!.AsArray();
        Assert.Equal("Rome", logs.Single()!["request"]!["city"]!.GetValue<string>());

        // The purge (maintenance hard-deletes the user) cascades through every feed table.
        await api.AdminExecAsync("DELETE FROM users WHERE id = @id", new { id = user.Id });
        foreach (var table in new[] { "conversations", "chat_messages", "user_events", "external_api_logs" })
            Assert.Equal(0L, await api.AdminScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", new { id = user.Id }));
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs WHERE user_id = @id", new { id = other.Id }));
    }
}

using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Conversations;

/// <summary>Issue 13, item 5: who may post which role into a conversation.</summary>
public sealed class ChatRoleTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_user_token_posts_only_user_messages()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        foreach (var role in new[] { "agent", "system", "tool" })
            await (await user.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role, content = "I am the assistant now" }))
                .ProblemAsync(HttpStatusCode.Forbidden);
        await (await user.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "user", content = "Hello" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
    }

    [Fact]
    public async Task Agent_system_and_tool_messages_need_an_agent_token_with_the_chat_scope()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var withoutScope = await api.NewAgentAsync("agents:logs");
        await (await withoutScope.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role = "agent", content = "hi" }))
            .ProblemAsync(HttpStatusCode.Forbidden);

        var chat = await api.NewAgentAsync("agents:chat");
        foreach (var role in new[] { "agent", "system", "tool" })
            await (await chat.Client.PostAsJsonAsync($"/api/conversations/{id}/messages", new { role, content = $"a {role} message", agentName = "planner" }))
                .EnsureStatusAsync(HttpStatusCode.Created);
        // Written on the owner's behalf: the owner reads them as their conversation's messages.
        var items = (await (await user.Client.GetAsync($"/api/conversations/{id}/messages")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(new[] { "tool", "system", "agent" }, items.Select(i => i!["role"]!.GetValue<string>()));
        Assert.Equal(3L, await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM chat_messages WHERE conversation_id = @id AND user_id = @owner", new { id, owner = user.Id }));

        await (await chat.Client.PostAsJsonAsync($"/api/conversations/{Guid.NewGuid()}/messages", new { role = "agent", content = "hi" }))
            .ProblemAsync(HttpStatusCode.NotFound);
        // The scope is for posting; it does not make the agent a user elsewhere.
        await (await chat.Client.GetAsync($"/api/conversations/{id}/messages")).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.AgentAuth;

public sealed class AgentTokenTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object OneLog => new { logs = new[] { new { provider = "amadeus", endpoint = "/v2/shopping/flight-offers", method = "GET", status = 200, durationMs = 120 } } };

    [Fact]
    public async Task Client_credentials_give_a_scoped_token_that_the_service_endpoints_accept()
    {
        var agent = await api.NewAgentAsync("agents:logs", "agents:search-cache");
        var response = await api.Anonymous().PostAsJsonAsync("/api/auth/agent-token", new { clientId = agent.ClientId, clientSecret = agent.Secret });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("Bearer", body["tokenType"]!.GetValue<string>());
        Assert.Equal("agents:logs agents:search-cache", body["scope"]!.GetValue<string>());
        Assert.True(body["expiresIn"]!.GetValue<int>() > 0);

        await (await agent.Client.PostAsJsonAsync("/api/api-logs", OneLog)).EnsureStatusAsync(HttpStatusCode.Accepted);
        await (await agent.Client.GetAsync("/api/search-cache/flight?origin=CDG")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task No_token_or_a_user_token_is_401_and_a_token_without_the_scope_403()
    {
        var before = await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs");
        await (await api.Anonymous().PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().GetAsync("/api/search-cache/hotel?city=Paris")).ProblemAsync(HttpStatusCode.Unauthorized);

        var user = await api.NewUserAsync();
        // A user token is no agent token (token_use), so it is not a credential here at all.
        await (await user.Client.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await user.Client.GetAsync("/api/search-cache/hotel?city=Paris")).ProblemAsync(HttpStatusCode.Unauthorized);

        var logsOnly = await api.NewAgentAsync("agents:logs");
        await (await logsOnly.Client.GetAsync("/api/search-cache/hotel?city=Paris")).ProblemAsync(HttpStatusCode.Forbidden);
        var cacheOnly = await api.NewAgentAsync("agents:search-cache");
        await (await cacheOnly.Client.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(before, await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs"));
    }

    [Fact]
    public async Task An_agent_token_is_not_a_user_on_user_endpoints()
    {
        var agent = await api.NewAgentAsync("agents:logs", "agents:search-cache");
        await (await agent.Client.GetAsync("/api/conversations")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await agent.Client.PostAsJsonAsync("/api/events", new { events = new[] { new { eventType = "page_view" } } }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await (await agent.Client.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events"));
    }

    [Fact]
    public async Task Wrong_unknown_or_disabled_credentials_are_401()
    {
        var agent = await api.NewAgentAsync("agents:logs");
        var anonymous = api.Anonymous();
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = agent.ClientId, clientSecret = agent.Secret + "x" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = Guid.NewGuid(), clientSecret = agent.Secret }))
            .ProblemAsync(HttpStatusCode.Unauthorized);

        await api.AdminExecAsync("UPDATE agent_clients SET disabled_at = now() WHERE client_id = @id", new { id = agent.ClientId });
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = agent.ClientId, clientSecret = agent.Secret }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rotating_the_secret_retires_the_old_one()
    {
        var agent = await api.NewAgentAsync("agents:logs");
        await using var owner = new Npgsql.NpgsqlConnection(api.Database.Direct);
        var fresh = await Dapper.SqlMapper.ExecuteScalarAsync<string>(owner,
            "SELECT maintenance.rotate_agent_client_secret(@id)", new { id = agent.ClientId });
        var anonymous = api.Anonymous();
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = agent.ClientId, clientSecret = agent.Secret }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = agent.ClientId, clientSecret = fresh }))
            .EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Token_request_is_validated()
    {
        var anonymous = api.Anonymous();
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientSecret = "s" })).ValidationProblemAsync("clientId");
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = Guid.NewGuid() })).ValidationProblemAsync("clientSecret");
        await (await anonymous.PostAsJsonAsync("/api/auth/agent-token", new { clientId = Guid.NewGuid(), clientSecret = new string('s', 201) }))
            .ValidationProblemAsync("clientSecret");
        await (await anonymous.PostAsync("/api/auth/agent-token", HttpTestExtensions.RawJson("""{"clientId":"not-a-uuid","clientSecret":"s"}""")))
            .ValidationProblemAsync("clientId");
    }

    [Fact]
    public async Task An_expired_or_forged_agent_token_is_401()
    {
        var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImFnZW50czpsb2dzIn0.forged");
        await (await client.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;

namespace TravelFunctions.Tests.AgentAuth;

public sealed record TestAgent(Guid ClientId, string Secret, HttpClient Client);

/// <summary>Agent clients and superuser SQL for the feed tests.</summary>
public static class FeedsTestSupport
{
    /// <summary>Provisions an agent client the way ops does (as travel_owner) and returns a client carrying its token.</summary>
    public static async Task<TestAgent> NewAgentAsync(this ApiFixture api, params string[] scopes)
    {
        await using var owner = new NpgsqlConnection(api.Database.Direct);
        var created = await owner.QuerySingleAsync<(Guid ClientId, string Secret)>(
            "SELECT client_id, client_secret FROM maintenance.create_agent_client(@name, @scopes)",
            new { name = "agent-" + Guid.NewGuid().ToString("N")[..12], scopes });
        var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/auth/agent-token", new { clientId = created.ClientId, clientSecret = created.Secret });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var token = (await response.JsonAsync())["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestAgent(created.ClientId, created.Secret, client);
    }

    /// <summary>Superuser SQL (sees every row, bypasses RLS): for arranging data and counting what was written.</summary>
    public static async Task<T> AdminScalarAsync<T>(this ApiFixture api, string sql, object? args = null)
    {
        await using var admin = new NpgsqlConnection(api.Database.Admin);
        return (await admin.ExecuteScalarAsync<T>(sql, args))!;
    }

    public static async Task AdminExecAsync(this ApiFixture api, string sql, object? args = null)
    {
        await using var admin = new NpgsqlConnection(api.Database.Admin);
        await admin.ExecuteAsync(sql, args);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.ProviderKeys;

/// <summary>
/// Travellers' own provider keys through the real app: stored sealed and shown only by their last four characters,
/// isolated per user, used by an agent client only with the traveller's grant for that service, every use recorded
/// and visible to the traveller, unusable at once when deleted with the key or the account.
/// </summary>
public sealed class ProviderKeysTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static string NewSecret() => "sk-test-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")[..6];

    private static async Task<JsonNode> AddKeyAsync(TestUser user, string service, string label, string secret)
    {
        var response = await user.Client.PostAsJsonAsync("/api/users/me/provider-keys", new { service, label, key = secret });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    private static Task<HttpResponseMessage> UseAsync(TestAgent agent, Guid userId, string service, string? label = null) =>
        agent.Client.PostAsJsonAsync("/api/agents/provider-keys/use", new { userId, service, label });

    [Fact]
    public async Task The_services_are_listed_for_any_signed_in_user()
    {
        var user = await api.NewUserAsync();
        var services = (await (await user.Client.GetAsync("/api/provider-key-services")).JsonAsync())["items"]!.AsArray();
        Assert.Contains(services, s => s!["name"]!.GetValue<string>() == "openai");
        Assert.Contains(services, s => s!["name"]!.GetValue<string>() == "google_maps");
        await (await api.Anonymous().GetAsync("/api/provider-key-services")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stored_key_is_shown_by_its_last_four_characters_only()
    {
        var user = await api.NewUserAsync();
        var secret = NewSecret();
        var created = await AddKeyAsync(user, "openai", "personal", secret);

        Assert.Equal(secret[^4..], created["lastFour"]!.GetValue<string>());
        Assert.Null(created["lastUsedAt"]);
        var list = await user.Client.GetStringAsync("/api/users/me/provider-keys");
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain(secret[..12], list);
        var listed = JsonNode.Parse(list)!["items"]!.AsArray().Single()!;
        Assert.Equal(created["id"]!.GetValue<Guid>(), listed["id"]!.GetValue<Guid>());
        Assert.Equal(["createdAt", "id", "label", "lastFour", "lastUsedAt", "service"], listed.AsObject().Select(p => p.Key).Order().ToArray());
        // Nor in the database in the clear.
        Assert.Equal(0L, await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM provider_keys WHERE position(convert_to(@secret, 'UTF8') IN secret_sealed) > 0", new { secret }));
    }

    [Theory]
    [InlineData("""{"service":"Open AI","label":"x","key":"sk-12345678"}""", "service")]
    [InlineData("""{"label":"x","key":"sk-12345678"}""", "service")]
    [InlineData("""{"service":"openai","label":"","key":"sk-12345678"}""", "label")]
    [InlineData("""{"service":"openai","label":" padded","key":"sk-12345678"}""", "label")]
    [InlineData("""{"service":"openai","key":"sk-12345678"}""", "label")]
    [InlineData("""{"service":"openai","label":"x","key":"short"}""", "key")]
    [InlineData("""{"service":"openai","label":"x","key":"has a space inside"}""", "key")]
    [InlineData("""{"service":"openai","label":"x"}""", "key")]
    [InlineData("""{"service":"openai","label":"x","key":"sk-12345678","owner":"someone"}""", "owner")]
    [InlineData("""{"service":"no_such_service","label":"x","key":"sk-12345678"}""", "service")]
    public async Task Invalid_keys_are_400_naming_the_field_and_store_nothing(string body, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsync("/api/users/me/provider-keys", HttpTestExtensions.RawJson(body))).ValidationProblemAsync(field);
        Assert.Empty((await (await user.Client.GetAsync("/api/users/me/provider-keys")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task A_second_key_with_the_same_service_and_label_is_409()
    {
        var user = await api.NewUserAsync();
        await AddKeyAsync(user, "duffel", "work", NewSecret());
        var again = await user.Client.PostAsJsonAsync("/api/users/me/provider-keys", new { service = "duffel", label = "work", key = NewSecret() });
        await again.ProblemAsync(HttpStatusCode.Conflict);
        await AddKeyAsync(user, "duffel", "home", NewSecret());
    }

    [Fact]
    public async Task Another_user_neither_sees_nor_deletes_my_keys()
    {
        var owner = await api.NewUserAsync();
        var id = (await AddKeyAsync(owner, "anthropic", "mine", NewSecret()))["id"]!.GetValue<Guid>();
        var stranger = await api.NewUserAsync();

        Assert.Empty((await (await stranger.Client.GetAsync("/api/users/me/provider-keys")).JsonAsync())["items"]!.AsArray());
        await (await stranger.Client.DeleteAsync($"/api/users/me/provider-keys/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Single((await (await owner.Client.GetAsync("/api/users/me/provider-keys")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task An_agent_with_the_travellers_grant_gets_the_key_and_the_use_is_recorded()
    {
        var user = await api.NewUserAsync();
        var secret = NewSecret();
        var keyId = (await AddKeyAsync(user, "openai", "personal", secret))["id"]!.GetValue<Guid>();
        var agent = await api.NewAgentAsync("agents:provider-keys");

        // No grant yet: the same 404 as for no key at all.
        await (await UseAsync(agent, user.Id, "openai")).ProblemAsync(HttpStatusCode.NotFound);
        var grant = await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "openai" });
        await grant.EnsureStatusAsync(HttpStatusCode.Created);
        await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "openai" }))
            .EnsureStatusAsync(HttpStatusCode.OK);

        var used = await UseAsync(agent, user.Id, "openai");
        await used.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains("no-store", used.Headers.CacheControl!.ToString());
        var body = await used.JsonAsync();
        Assert.Equal(secret, body["key"]!.GetValue<string>());
        Assert.Equal(keyId, body["keyId"]!.GetValue<Guid>());

        // The grant is for openai only.
        await AddKeyAsync(user, "duffel", "flights", NewSecret());
        await (await UseAsync(agent, user.Id, "duffel")).ProblemAsync(HttpStatusCode.NotFound);

        var uses = (await (await user.Client.GetAsync("/api/users/me/provider-key-uses")).JsonAsync())["items"]!.AsArray();
        var use = Assert.Single(uses)!;
        Assert.Equal(agent.ClientId, use["agentClientId"]!.GetValue<Guid>());
        Assert.Equal("openai", use["service"]!.GetValue<string>());
        Assert.Equal(keyId, use["keyId"]!.GetValue<Guid>());
        var listed = (await (await user.Client.GetAsync("/api/users/me/provider-keys")).JsonAsync())["items"]!.AsArray();
        Assert.NotNull(listed.Single(k => k!["service"]!.GetValue<string>() == "openai")!["lastUsedAt"]);
    }

    [Fact]
    public async Task The_label_picks_one_of_several_keys_and_the_newest_is_the_default()
    {
        var user = await api.NewUserAsync();
        var older = NewSecret();
        var newer = NewSecret();
        await AddKeyAsync(user, "amadeus", "old", older);
        await AddKeyAsync(user, "amadeus", "new", newer);
        var agent = await api.NewAgentAsync("agents:provider-keys");
        await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "amadeus" }))
            .EnsureStatusAsync(HttpStatusCode.Created);

        Assert.Equal(newer, (await (await UseAsync(agent, user.Id, "amadeus")).JsonAsync())["key"]!.GetValue<string>());
        Assert.Equal(older, (await (await UseAsync(agent, user.Id, "amadeus", "old")).JsonAsync())["key"]!.GetValue<string>());
        await (await UseAsync(agent, user.Id, "amadeus", "other")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_the_key_revoking_the_grant_or_deleting_the_account_stops_the_agent_at_once()
    {
        var agent = await api.NewAgentAsync("agents:provider-keys");
        async Task<TestUser> GrantedUserAsync()
        {
            var user = await api.NewUserAsync();
            await AddKeyAsync(user, "openai", "k", NewSecret());
            await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "openai" }))
                .EnsureStatusAsync(HttpStatusCode.Created);
            await (await UseAsync(agent, user.Id, "openai")).EnsureStatusAsync(HttpStatusCode.OK);
            return user;
        }

        var a = await GrantedUserAsync();
        var keyId = (await (await a.Client.GetAsync("/api/users/me/provider-keys")).JsonAsync())["items"]![0]!["id"]!.GetValue<Guid>();
        await (await a.Client.DeleteAsync($"/api/users/me/provider-keys/{keyId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await UseAsync(agent, a.Id, "openai")).ProblemAsync(HttpStatusCode.NotFound);

        var b = await GrantedUserAsync();
        await (await b.Client.DeleteAsync($"/api/users/me/provider-key-grants/{agent.ClientId}/openai")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await UseAsync(agent, b.Id, "openai")).ProblemAsync(HttpStatusCode.NotFound);
        await (await b.Client.DeleteAsync($"/api/users/me/provider-key-grants/{agent.ClientId}/openai")).ProblemAsync(HttpStatusCode.NotFound);

        var c = await GrantedUserAsync();
        await (await c.Client.DeleteAsync("/api/users/me")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await UseAsync(agent, c.Id, "openai")).ProblemAsync(HttpStatusCode.NotFound);
        // The sealed key is gone with the soft delete, not 30 days later with the purge.
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM provider_keys WHERE user_id = @id", new { id = c.Id }));
    }

    [Fact]
    public async Task Only_agent_tokens_with_the_scope_may_use_keys_and_agents_cannot_manage_them()
    {
        var user = await api.NewUserAsync();
        // A user token is no agent credential at all: 401, as no token is.
        await (await user.Client.PostAsJsonAsync("/api/agents/provider-keys/use", new { userId = user.Id, service = "openai" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        var logsOnly = await api.NewAgentAsync("agents:logs");
        await (await UseAsync(logsOnly, user.Id, "openai")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Anonymous().PostAsJsonAsync("/api/agents/provider-keys/use", new { userId = user.Id, service = "openai" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);

        var agent = await api.NewAgentAsync("agents:provider-keys");
        await (await agent.Client.GetAsync("/api/users/me/provider-keys")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await agent.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "openai" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_grant_names_an_active_agent_client_and_a_known_service()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = Guid.NewGuid(), service = "openai" }))
            .ValidationProblemAsync("agentClientId");
        var agent = await api.NewAgentAsync("agents:provider-keys");
        await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "nope_service" }))
            .ValidationProblemAsync("service");
        Assert.Empty((await (await user.Client.GetAsync("/api/users/me/provider-key-grants")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task The_export_lists_keys_grants_and_uses_without_any_secret()
    {
        var user = await api.NewUserAsync();
        var secret = NewSecret();
        await AddKeyAsync(user, "google_maps", "maps", secret);
        var agent = await api.NewAgentAsync("agents:provider-keys");
        await (await user.Client.PostAsJsonAsync("/api/users/me/provider-key-grants", new { agentClientId = agent.ClientId, service = "google_maps" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        await (await UseAsync(agent, user.Id, "google_maps")).EnsureStatusAsync(HttpStatusCode.OK);

        var text = await user.Client.GetStringAsync("/api/users/me/export");
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain("sealed", text);
        Assert.DoesNotContain("wrapped", text);
        var export = JsonNode.Parse(text)!;
        Assert.Equal("maps", export["providerKeys"]![0]!["label"]!.GetValue<string>());
        Assert.Equal(secret[^4..], export["providerKeys"]![0]!["lastFour"]!.GetValue<string>());
        Assert.Single(export["providerKeyGrants"]!.AsArray());
        Assert.Single(export["providerKeyUses"]!.AsArray());
    }

    [Fact]
    public async Task A_dump_of_the_database_holds_no_stored_key()
    {
        var user = await api.NewUserAsync();
        var secret = NewSecret();
        await AddKeyAsync(user, "anthropic", "dumped", secret);

        var dump = await PgDumpAsync();
        Assert.Contains("provider_keys", dump);           // the table and its rows are in the dump …
        Assert.Contains(secret[^4..], dump);               // … with the last four shown to the owner …
        Assert.DoesNotContain(secret, dump);               // … but not the key, in any part longer than that
        Assert.DoesNotContain(secret[..16], dump);
        Assert.DoesNotContain(secret[8..24], dump);
    }

    /// <summary>pg_dump of the test database as the superuser: what a stolen backup would hold.</summary>
    private async Task<string> PgDumpAsync()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(api.Database.Admin);
        var pgDump = File.Exists("/usr/lib/postgresql/15/bin/pg_dump") ? "/usr/lib/postgresql/15/bin/pg_dump" : "pg_dump";
        var start = new System.Diagnostics.ProcessStartInfo(pgDump)
        {
            ArgumentList = { "-h", admin.Host!, "-p", admin.Port.ToString(), "-U", admin.Username!, "-d", admin.Database!, "--data-only", "--table=provider_keys" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PGPASSWORD"] = admin.Password },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "pg_dump failed: " + await error);
        return await output;
    }
}

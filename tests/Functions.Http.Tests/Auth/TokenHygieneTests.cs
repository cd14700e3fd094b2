using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Auth;

/// <summary>Issue 13, item 3: what a token must be to count, logout, and the security events.</summary>
public sealed class TokenHygieneTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object OneLog => new { logs = new[] { new { provider = "amadeus", endpoint = "/v2/x", method = "GET", status = 200, durationMs = 1 } } };

    /// <summary>A client carrying a token signed with the app's key but with claims the app would never issue.</summary>
    private HttpClient Signed(Dictionary<string, object> claims)
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ApiFixture.Issuer,
            Audience = ApiFixture.Audience,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(api.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
        var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_signed_token_without_a_uuid_subject_is_401()
    {
        foreach (var claims in new[]
                 {
                     new Dictionary<string, object> { ["token_use"] = "user" },
                     new Dictionary<string, object> { ["sub"] = "not-a-uuid", ["token_use"] = "user" },
                     new Dictionary<string, object> { ["sub"] = "", ["token_use"] = "user" },
                 })
        {
            var client = Signed(claims);
            await (await client.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
            await (await client.GetAsync("/api/trips")).ProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_token_counts_only_at_the_functions_of_its_kind()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/users/me")).EnsureStatusAsync(HttpStatusCode.OK);

        // An agent token whose subject happens to be a user's id is still no user...
        var agentNamedLikeUser = Signed(new() { ["sub"] = user.Id.ToString(), ["token_use"] = "agent", ["scope"] = "agents:logs agents:search-cache" });
        await (await agentNamedLikeUser.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        // ...and a token that does not say what it is counts nowhere.
        var untyped = Signed(new() { ["sub"] = user.Id.ToString(), ["scope"] = "agents:logs" });
        await (await untyped.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await untyped.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);

        // A user token (even one claiming scopes) is no agent token.
        var userWithScopes = Signed(new() { ["sub"] = user.Id.ToString(), ["token_use"] = "user", ["scope"] = "agents:logs" });
        await (await userWithScopes.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await user.Client.PostAsJsonAsync("/api/api-logs", OneLog)).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs"));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_family_of_the_callers_sign_in_only()
    {
        var user = await api.NewUserAsync();
        var other = await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password });
        await other.EnsureStatusAsync(HttpStatusCode.OK);
        var otherRefresh = (await other.JsonAsync())["refreshToken"]!.GetValue<string>();
        var rotated = await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        await rotated.EnsureStatusAsync(HttpStatusCode.OK);
        var current = (await rotated.JsonAsync())["refreshToken"]!.GetValue<string>();

        await (await api.Anonymous().PostAsync("/api/auth/logout", null)).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await user.Client.PostAsync("/api/auth/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);

        // The signed-out family's live token is dead; the other sign-in is untouched.
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = current })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = otherRefresh })).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1L, await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM refresh_sessions WHERE user_id = @id AND revoked_reason = 'logout'", new { id = user.Id }));
        // A signed-out token presented again is not a theft alarm (a later event marks how far the log has come).
        var marker = $"marker-{Guid.NewGuid():N}@example.test";
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = marker, password = "x-password" })).ProblemAsync(HttpStatusCode.Unauthorized);
        var output = await SecurityLog.WaitForAsync(api, $"logout: user {user.Id}",
            $"login.failed: email {TravelFunctions.Http.Auth.SecurityEvents.EmailTag(marker)}");
        Assert.DoesNotContain($"refresh.reuse: user {user.Id}", output);
    }

    [Fact]
    public async Task Failed_logins_refresh_reuse_and_agent_tokens_are_logged_without_secrets()
    {
        var user = await api.NewUserAsync();
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = wrong })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);
        var agent = await api.NewAgentAsync("agents:logs");

        var tag = TravelFunctions.Http.Auth.SecurityEvents.EmailTag(user.Email);
        var output = await SecurityLog.WaitForAsync(api, $"login.failed: email {tag}", $"refresh.reuse: user {user.Id}", $"agent.token.issued: client {agent.ClientId}");
        foreach (var secret in new[] { wrong, user.Password, user.RefreshToken, agent.Secret, user.Email })
            Assert.DoesNotContain(secret, output);
    }
}

/// <summary>The app's security events, as its host prints them.</summary>
public static class SecurityLog
{
    /// <summary>Waits (a bounded while: logs travel from the worker to the host on their own) for every fragment; returns the output.</summary>
    public static async Task<string> WaitForAsync(ApiFixture api, params string[] fragments)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var output = api.Host.Output;
            var missing = fragments.Where(f => !output.Contains(f, StringComparison.Ordinal)).ToList();
            if (missing.Count == 0) return output;
            if (DateTime.UtcNow > deadline) Assert.Fail("No security event in the app's output with: " + string.Join(" | ", missing));
            await Task.Delay(100);
        }
    }

    public static int Count(string output, string fragment) =>
        output.Split('\n').Count(line => line.Contains(fragment, StringComparison.Ordinal));
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Infrastructure;

/// <summary>
/// The real HTTP app in-process, on a database of its own, talking to PostgreSQL through the real
/// PgBouncer (transaction mode) as travel_app — exactly the production wiring.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    private WebApplicationFactory<Program>? _factory;

    /// <summary>Settings a test class may override (e.g. a low rate limit).</summary>
    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Fixture not initialized.");

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["TravelDb"] = Database.Pooled,
            ["TravelDbDirect"] = Database.Direct,
            ["Jwt:Issuer"] = "https://travelfunctions.test",
            ["Jwt:Audience"] = "travelfunctions-api",
            ["Jwt:SigningKey"] = "test-only-signing-key-" + Guid.NewGuid().ToString("N"),
            ["Auth:PermitsPerMinute"] = "100000",
        };
        foreach (var (k, v) in ExtraSettings) settings[k] = v;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (k, v) in settings) b.UseSetting(k, v);
            // Real PBKDF2, fewer rounds: registration is in nearly every test and CPU is shared.
            b.ConfigureServices(s => s.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000));
        });
        _ = _factory.Server; // start now so a configuration error fails here, clearly
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await Database.DisposeAsync();
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>Registers a fresh user and returns a client carrying their bearer token.</summary>
    public async Task<TestUser> NewUserAsync(string? firstName = null)
    {
        var email = $"u{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";
        var client = Factory.CreateClient();
        var reg = await client.PostAsJsonAsync("/api/users", new { email, password, firstName = firstName ?? "Test", lastName = "User" });
        await reg.EnsureStatusAsync(System.Net.HttpStatusCode.Created);
        var id = (await reg.JsonAsync())["id"]!.GetValue<Guid>();
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email, password });
        await token.EnsureStatusAsync(System.Net.HttpStatusCode.OK);
        var body = await token.JsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body["accessToken"]!.GetValue<string>());
        return new TestUser(id, email, password, client, body["refreshToken"]!.GetValue<string>());
    }
}

public sealed record TestUser(Guid Id, string Email, string Password, HttpClient Client, string RefreshToken);

public static class HttpTestExtensions
{
    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("Empty JSON body.");
    }

    /// <summary>Asserts the status, showing the body when it differs (problem details say why).</summary>
    public static async Task EnsureStatusAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            Assert.Fail($"Expected {(int)expected} but got {(int)response.StatusCode} for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Asserts a problem-details answer with the status, and returns it.</summary>
    public static async Task<JsonNode> ProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        await response.EnsureStatusAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        return body;
    }

    /// <summary>Asserts a 400 whose field errors name the field (case-insensitive prefix match on the key).</summary>
    public static async Task<JsonNode> ValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.ProblemAsync(System.Net.HttpStatusCode.BadRequest);
        var errors = body["errors"]?.AsObject() ?? throw new Xunit.Sdk.XunitException("No field errors in: " + body.ToJsonString());
        Assert.True(errors.Any(e => e.Key.StartsWith(field, StringComparison.OrdinalIgnoreCase)),
            $"Expected an error for '{field}' in {body.ToJsonString()}");
        return body;
    }

    public static StringContent RawJson(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

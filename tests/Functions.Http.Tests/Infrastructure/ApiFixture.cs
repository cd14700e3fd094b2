using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using TravelFunctions.LocalHost;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Infrastructure;

/// <summary>
/// The real HTTP app: its worker process run by the local Functions host over the host–worker contract, on a
/// database of its own, talking to PostgreSQL through the real PgBouncer (transaction mode) as travel_app —
/// exactly the production wiring. Clients call the host's front door, as clients call the Functions host.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private static readonly object LogGate = new();
    public TestDatabase Database { get; } = new();
    private FunctionsLocalHost? _host;
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    /// <summary>Settings a test class may override (e.g. a low rate limit), named as in app settings (Auth__PermitsPerMinute).</summary>
    protected virtual IDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    /// <summary>The app's provider-key KEK (ProviderKeys__CurrentKey): a fresh one per fixture.</summary>
    public virtual string ProviderKeyKek { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public FunctionsLocalHost Host => _host ?? throw new InvalidOperationException("Fixture not initialized.");

    public const string Issuer = "https://travelfunctions.test";
    public const string Audience = "travelfunctions-api";

    /// <summary>The app's signing key, so a test can make tokens the app did not issue (with claims it would never put).</summary>
    public string SigningKey { get; } = "test-only-signing-key-" + Guid.NewGuid().ToString("N");

    private Dictionary<string, string> _settings = [];

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        _settings = new Dictionary<string, string>
        {
            ["TravelDb"] = Database.Pooled,
            ["Jwt__Issuer"] = Issuer,
            ["Jwt__Audience"] = Audience,
            ["Jwt__SigningKey"] = SigningKey,
            ["Auth__PermitsPerMinute"] = "100000",
            ["ProviderKeys__CurrentKey"] = ProviderKeyKek,
            // Real PBKDF2, fewer rounds: registration is in nearly every test and CPU is shared (allowed in Development only).
            ["Auth__PasswordHashIterations"] = "1000",
            // Login backoff long enough that no test outruns it (tests assert on it, never on time).
            ["Auth__LockoutBaseDelaySeconds"] = "600",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Api__DocsEnabled"] = "true",
        };
        foreach (var (k, v) in ExtraSettings) _settings[k] = v;
        _host = await StartInstanceAsync();
    }

    /// <summary>Another instance of the app (its own worker process and host) on the same database: what scale-out gives.</summary>
    public Task<FunctionsLocalHost> StartInstanceAsync() =>
        // The worker's environment is the settings and nothing else, as in Azure.
        FunctionsLocalHost.StartAsync(new LocalHostOptions
        {
            AppDirectory = TestApps.Http,
            Settings = _settings,
            InheritEnvironment = false,
            Output = Environment.GetEnvironmentVariable("TRAVEL_TEST_HOST_LOG") is { Length: > 0 } log ? line => { lock (LogGate) File.AppendAllText(log, line + "\n"); } : null,
        });

    public async Task DisposeAsync()
    {
        _handler.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        await Database.DisposeAsync();
    }

    public HttpClient Anonymous() => new(_handler, disposeHandler: false) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client whose connections come from another loopback address (127.0.0.x): another client address for the host.</summary>
    public HttpClient FromAddress(string loopbackAddress, FunctionsLocalHost? instance = null) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse(loopbackAddress), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = (instance ?? Host).BaseAddress };

    /// <summary>Registers a fresh user and returns a client carrying their bearer token.</summary>
    public async Task<TestUser> NewUserAsync(string? firstName = null, string? email = null)
    {
        email ??= $"u{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";
        var client = Anonymous();
        var reg = await client.PostAsJsonAsync("/api/users", new { email, password, firstName = firstName ?? "Test", lastName = "User" });
        await reg.EnsureStatusAsync(HttpStatusCode.Created);
        var id = (await reg.JsonAsync())["id"]!.GetValue<Guid>();
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email, password });
        await token.EnsureStatusAsync(HttpStatusCode.OK);
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
    public static async Task EnsureStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            Assert.Fail($"Expected {(int)expected} but got {(int)response.StatusCode} for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Asserts a problem-details answer with the status, and returns it.</summary>
    public static async Task<JsonNode> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
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
        var body = await response.ProblemAsync(HttpStatusCode.BadRequest);
        var errors = body["errors"]?.AsObject() ?? throw new Xunit.Sdk.XunitException("No field errors in: " + body.ToJsonString());
        Assert.True(errors.Any(e => e.Key.StartsWith(field, StringComparison.OrdinalIgnoreCase)),
            $"Expected an error for '{field}' in {body.ToJsonString()}");
        return body;
    }

    public static StringContent RawJson(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

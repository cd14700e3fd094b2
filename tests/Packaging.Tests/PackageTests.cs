using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.TestSupport;
using TravelFunctions.Tests.Packaging.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// The zips scripts/publish.sh builds, unzipped and started the way the Functions host starts a custom
/// handler, each answering what the host sends it.
/// </summary>
[Collection(PackagesCollection.Name)]
public class PackageTests(Packages packages) : IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    /// <summary>The app's settings as Azure sets them: the keys infra/app-settings.json gives the app, with local values.</summary>
    private IReadOnlyDictionary<string, string> SettingsFor(string app)
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "local.settings.sample.json")))!["Values"]!.AsObject();
        var keys = ConfigKeys.InfraKeys(app);
        var settings = sample.Where(kv => keys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
        settings["TravelDb"] = app == "Functions.Http" ? _db.Pooled : _db.Maintenance;
        settings["TravelDbDirect"] = _db.Direct;
        if (settings.ContainsKey("ArchiveStorage")) settings["ArchiveStorage"] = TestStack.ArchiveStorage;
        return settings;
    }

    private static void AssertLayout(string zip, string executable, bool proxying)
    {
        using var archive = ZipFile.OpenRead(zip);
        var exe = archive.GetEntry(executable) ?? throw new Xunit.Sdk.XunitException($"{executable} is not at the root of {zip}");
        var mode = (exe.ExternalAttributes >> 16) & 0x1FF;
        Assert.True((mode & 0b001_001_001) != 0, $"{executable} has mode {Convert.ToString(mode, 8)} in the zip: no run bit");

        using var hostJson = archive.GetEntry("host.json")!.Open();
        var host = JsonNode.Parse(hostJson)!;
        Assert.Equal("2.0", host["version"]!.GetValue<string>());
        Assert.Equal(executable, host["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.Equal(proxying, host["customHandler"]!["enableProxyingHttpRequest"]!.GetValue<bool>());
        // Everything else is the top-level host.json, the single source of host settings.
        var top = JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "host.json")))!;
        foreach (var node in new[] { host, top })
        {
            node["customHandler"]!["description"]!.AsObject().Remove("defaultExecutablePath");
            node["customHandler"]!.AsObject().Remove("enableProxyingHttpRequest");
        }
        Assert.True(JsonNode.DeepEquals(top, host), $"the package's host.json differs from host.json beyond the executable: {host.ToJsonString()}");
    }

    [Fact]
    public async Task Http_package_holds_the_executable_host_json_and_the_generated_functions()
    {
        var zip = await packages.ZipAsync("Functions.Http");
        AssertLayout(zip, "Functions.Http", proxying: true);
        var root = PackagedApp.Unzip(zip);
        try
        {
            Assert.Equal(EmittedFunctions.OfHttpApp().Keys.Order(), EmittedFunctions.Read(root).Keys.Order());
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_package_starts_like_the_host_starts_it_and_answers_a_proxied_health_check(bool otherWorkingDirectory)
    {
        var root = PackagedApp.Unzip(await packages.ZipAsync("Functions.Http"));
        await using var app = await PackagedApp.StartAsync(root, "Functions.Http", SettingsFor("Functions.Http"),
            otherWorkingDirectory ? Path.GetTempPath() : null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var health = await app.Client.SendAsync(request);
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"GET /api/health answered {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync()}\n{app.Output}");
        Assert.Equal("healthy", (await health.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());

        using var docs = await app.Client.GetAsync("/api/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        using var openApi = await app.Client.GetAsync("/api/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    // Depends on the timers app's `emit-functions` verb (branch timers-jobs).
    [Fact]
    public async Task Timers_package_holds_the_executable_host_json_migrations_and_timer_functions()
    {
        var zip = await packages.ZipAsync("Functions.Timers");
        AssertLayout(zip, "Functions.Timers", proxying: false);
        var root = PackagedApp.Unzip(zip);
        try
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "migrations"), "*.sql"));
            var functions = EmittedFunctions.Read(root);
            Assert.Contains("RefreshReporting", functions.Keys);
            foreach (var (name, function) in functions)
            {
                var trigger = function.Trigger();
                Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
                Assert.Equal("timer", trigger["name"]!.GetValue<string>());
                Assert.Equal($"%{name}Schedule%", trigger["schedule"]!.GetValue<string>());
                Assert.Equal("fixedDelay", function["retry"]?["strategy"]?.GetValue<string>());
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    // Depends on the timers app's `emit-functions` verb and its RefreshReporting function (branch timers-jobs).
    [Fact]
    public async Task Timers_package_starts_like_the_host_starts_it_and_runs_a_timer_invocation()
    {
        var root = PackagedApp.Unzip(await packages.ZipAsync("Functions.Timers"));
        await using var app = await PackagedApp.StartAsync(root, "Functions.Timers", SettingsFor("Functions.Timers"), Path.GetTempPath());

        var invocation = JsonNode.Parse("""
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},
             "Metadata":{"sys":{"MethodName":"RefreshReporting","UtcNow":"2026-01-01T00:05:00Z","RandGuid":"00000000-0000-0000-0000-000000000001"}}}
            """);
        using var response = await app.Client.PostAsJsonAsync("/RefreshReporting", invocation);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /RefreshReporting answered {(int)response.StatusCode}: {text}\n{app.Output}");
        var body = JsonNode.Parse(text)!;
        Assert.NotNull(body["Outputs"]?.AsObject());
        Assert.NotNull(body["Logs"]?.AsArray());
        Assert.True(body.AsObject().ContainsKey("ReturnValue"), text);
        Assert.Null(body["ReturnValue"]);
    }
}

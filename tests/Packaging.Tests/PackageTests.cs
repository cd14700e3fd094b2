using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.LocalHost;
using TravelFunctions.TestSupport;
using TravelFunctions.Tests.Packaging.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// The zips scripts/publish.sh builds: isolated-worker packages a Flex Consumption app runs as is. Each is unzipped
/// and started under the local host exactly as Azure would start it (the settings infra gives the app, nothing else
/// in the environment), and called.
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
        if (keys.Contains("TravelDbDirect")) settings["TravelDbDirect"] = _db.Direct;
        if (settings.ContainsKey("ArchiveStorage")) settings["ArchiveStorage"] = TestStack.ArchiveStorage;
        // The sample's development signing key is for local runs; the package runs as production would.
        if (settings.ContainsKey("Jwt__SigningKey")) settings["Jwt__SigningKey"] = "package-test-key-" + Guid.NewGuid().ToString("N");
        if (settings.ContainsKey("ProviderKeys__CurrentKey"))
            settings["ProviderKeys__CurrentKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        return settings;
    }

    private static async Task<FunctionsLocalHost> StartAsync(string root, IReadOnlyDictionary<string, string> settings) =>
        await FunctionsLocalHost.StartAsync(new LocalHostOptions { AppDirectory = root, Settings = settings, InheritEnvironment = false });

    /// <summary>What a Flex app needs at the root of the zip: the executable (with its run bit), host.json, the metadata.</summary>
    private static void AssertLayout(string zip, string executable)
    {
        using var archive = ZipFile.OpenRead(zip);
        var exe = archive.GetEntry(executable) ?? throw new Xunit.Sdk.XunitException($"{executable} is not at the root of {zip}");
        var mode = (exe.ExternalAttributes >> 16) & 0x1FF;
        Assert.True((mode & 0b001_001_001) != 0, $"{executable} has mode {Convert.ToString(mode, 8)} in the zip: no run bit");
        foreach (var entry in new[] { "functions.metadata", "worker.config.json", "extensions.json" })
            Assert.True(archive.GetEntry(entry) is not null, $"{entry} is not at the root of {zip}");
        Assert.Contains(archive.Entries, e => e.FullName.StartsWith(".azurefunctions/", StringComparison.Ordinal));

        using (var worker = archive.GetEntry("worker.config.json")!.Open())
        {
            var description = JsonNode.Parse(worker)!["description"]!;
            Assert.Equal("dotnet-isolated", description["language"]!.GetValue<string>());
            Assert.Equal("true", description["workerIndexing"]!.GetValue<string>());
            Assert.Contains(executable, description["defaultExecutablePath"]!.GetValue<string>());
        }
        // host.json is the top-level one, unchanged: the single source of host settings.
        using var hostJson = archive.GetEntry("host.json")!.Open();
        var top = JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "host.json")))!;
        Assert.True(JsonNode.DeepEquals(top, JsonNode.Parse(hostJson)), "the package's host.json differs from the top-level host.json");
    }

    [Fact]
    public async Task Http_package_holds_the_executable_host_json_and_the_generated_metadata()
    {
        var zip = await packages.ZipAsync("Functions.Http");
        AssertLayout(zip, "Functions.Http");
        var root = Packages.Unzip(zip);
        try
        {
            Assert.Equal(File.ReadAllText(Path.Combine(TestApps.Http, "functions.metadata")), File.ReadAllText(Path.Combine(root, "functions.metadata")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Http_package_starts_as_the_host_starts_it_and_answers_its_functions()
    {
        var root = Packages.Unzip(await packages.ZipAsync("Functions.Http"));
        try
        {
            await using var host = await StartAsync(root, SettingsFor("Functions.Http"));
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            using var health = await client.GetAsync("/api/health");
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"GET /api/health answered {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync()}\n{host.Output}");
            Assert.Equal("healthy", (await health.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());

            var registered = await client.PostAsJsonAsync("/api/users", new { email = $"p{Guid.NewGuid():N}@example.test", password = "correct horse battery", firstName = "P", lastName = "T" });
            Assert.True(registered.StatusCode == HttpStatusCode.Created, $"POST /api/users answered {(int)registered.StatusCode}\n{host.Output}");
            using var docs = await client.GetAsync("/api/docs/index.html");
            Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
            using var openApi = await client.GetAsync("/api/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Timers_package_holds_the_executable_host_json_migrations_and_timer_functions()
    {
        var zip = await packages.ZipAsync("Functions.Timers");
        AssertLayout(zip, "Functions.Timers");
        var root = Packages.Unzip(zip);
        try
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "migrations"), "*.sql"));
            var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "functions.metadata")))!.AsArray();
            Assert.Contains(functions, f => f!["name"]!.GetValue<string>() == "RefreshReporting");
            foreach (var function in functions)
            {
                var name = function!["name"]!.GetValue<string>();
                var trigger = function["bindings"]!.AsArray().Single()!;
                Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
                Assert.Equal($"%{name}Schedule%", trigger["schedule"]!.GetValue<string>());
                Assert.Equal("fixedDelay", function["retry"]?["strategy"]?.GetValue<string>());
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Timers_package_starts_as_the_host_starts_it_and_runs_a_timer_invocation()
    {
        var root = Packages.Unzip(await packages.ZipAsync("Functions.Timers"));
        try
        {
            await using var host = await StartAsync(root, SettingsFor("Functions.Timers"));
            var result = await host.InvokeAsync("RefreshReporting");
            Assert.True(result.Succeeded, $"RefreshReporting failed: {result.Exception}\n{host.Output}");
            Assert.Equal(1, result.Attempts);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Data.Connections;
using TravelFunctions.Hosting;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.ApiLogs;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Bookings;
using TravelFunctions.Http.Conversations;
using TravelFunctions.Http.Docs;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.ExchangeRates;
using TravelFunctions.Http.Health;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Itineraries;
using TravelFunctions.Http.Notifications;
using TravelFunctions.Http.Places;
using TravelFunctions.Http.Planning;
using TravelFunctions.Http.Preferences;
using TravelFunctions.Http.ProviderKeys;
using TravelFunctions.Http.SearchCache;
using TravelFunctions.Http.Sharing;
using TravelFunctions.Http.Trips;
using TravelFunctions.Http.Users;
using TravelFunctions.TestSupport;
using TravelFunctions.Tests.Packaging.Infrastructure;
using TravelFunctions.Timers.Jobs;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// Every setting an app reads (its typed options, and the %Setting% references in its function metadata) is an app
/// setting in infra/app-settings.json (which scripts/check-infra.sh holds equal to main.bicep), and every setting
/// there is read by something. The apps' registrations are repeated here call for call; a test keeps the repetition
/// equal to each Program.cs.
/// </summary>
public class ConfigKeysTests
{
    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();

    private static readonly Dictionary<string, Action<IServiceCollection>> Http = new()
    {
        ["AddApiPlatform"] = s => s.AddApiPlatform(Empty),
        ["AddFunctionsTelemetry"] = s => s.AddFunctionsTelemetry(Empty),
        ["AddTravelData"] = s => s.AddTravelData(Empty).RequireDatabaseSettings(direct: false),
        ["AddTokenAuth"] = s => s.AddTokenAuth(Empty),
        ["AddApiDocs"] = s => s.AddApiDocs(Empty),
        ["AddHealth"] = s => s.AddHealth(),
        ["AddUsers"] = s => s.AddUsers(),
        ["AddTrips"] = s => s.AddTrips(),
        ["AddItineraries"] = s => s.AddItineraries(),
        ["AddBookings"] = s => s.AddBookings(),
        ["AddAgentAuth"] = s => s.AddAgentAuth(),
        ["AddConversations"] = s => s.AddConversations(),
        ["AddEvents"] = s => s.AddEvents(),
        ["AddApiLogs"] = s => s.AddApiLogs(),
        ["AddSearchCache"] = s => s.AddSearchCache(),
        ["AddPlaces"] = s => s.AddPlaces(),
        ["AddPreferences"] = s => s.AddPreferences(),
        ["AddExchangeRates"] = s => s.AddExchangeRates(),
        ["AddNotifications"] = s => s.AddNotifications(),
        ["AddPlanning"] = s => s.AddPlanning(),
        ["AddProviderKeys"] = s => s.AddProviderKeys(Empty),
        ["AddSharing"] = s => s.AddSharing(),
    };

    private static readonly Dictionary<string, Action<IServiceCollection>> Timers = new()
    {
        ["AddFunctionsTelemetry"] = s => s.AddFunctionsTelemetry(Empty),
        ["AddTimerJobs"] = s => s.AddTimerJobs(Empty),
        ["AddStartupChecks"] = s => s.AddStartupChecks(),
    };

    private static HashSet<string> ReadBy(string app, Dictionary<string, Action<IServiceCollection>> registrations)
    {
        var services = new ServiceCollection();
        foreach (var register in registrations.Values) register(services);
        var read = ConfigKeys.SettingsOf(ConfigKeys.OptionsTypes(services));
        read.UnionWith(ConfigKeys.MetadataSettings(TestApps.BuildOutput(app)));
        return read;
    }

    private static void AssertAgree(string app, HashSet<string> read)
    {
        var infra = ConfigKeys.InfraKeys(app);
        var missing = read.Where(k => !infra.Contains(k) && !ConfigKeys.LocalOnly.Contains(k)).Order().ToList();
        Assert.True(missing.Count == 0, $"{app} reads settings infra/app-settings.json (and main.bicep) does not set: {string.Join(", ", missing)}");
        var unread = infra.Where(k => !read.Contains(k) && !ConfigKeys.IsPlatform(k)).Order().ToList();
        Assert.True(unread.Count == 0, $"infra/app-settings.json sets settings {app} never reads: {string.Join(", ", unread)}");
    }

    [Fact]
    public void The_registrations_here_are_the_apps_own()
    {
        Assert.Equal(ConfigKeys.ProgramRegistrations("Functions.Http").Order(), Http.Keys.Order());
        Assert.Equal(ConfigKeys.ProgramRegistrations("Functions.Timers").Order(), Timers.Keys.Order());
    }

    [Fact]
    public void Http_app_settings_match_infra_both_ways()
    {
        var read = ReadBy("Functions.Http", Http);
        Assert.Superset(new HashSet<string> { "TravelDb", "Jwt__SigningKey", "Jwt__Issuer", "Jwt__Audience", "Auth__PermitsPerMinute", "Auth__PasswordHashIterations" }, read);
        // The owner's connection string never reaches the HTTP app.
        Assert.DoesNotContain("TravelDbDirect", read);
        AssertAgree("Functions.Http", read);
    }

    [Fact]
    public void Timers_app_settings_match_infra_both_ways()
    {
        var read = ReadBy("Functions.Timers", Timers);
        Assert.Superset(new HashSet<string> { "TravelDb", "TravelDbDirect", "AZURE_CLIENT_ID", "ArchiveStorage", "ArchiveContainer", "JobTimeBudgetSeconds", "RefreshReportingSchedule",
            "Maintenance__PurgeBatchSize", "Maintenance__PurgeRestPercent", "Maintenance__AnalyzeMinModifications" }, read);
        AssertAgree("Functions.Timers", read);
    }

    [Fact]
    public void Every_setting_the_apps_read_has_a_local_value_in_the_sample()
    {
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "local.settings.sample.json")))!["Values"]!.AsObject();
        var read = ReadBy("Functions.Http", Http).Union(ReadBy("Functions.Timers", Timers))
            .Where(k => !k.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal) && k != "AZURE_CLIENT_ID" && !ConfigKeys.LocalOnly.Contains(k));
        Assert.Empty(read.Where(k => !sample.ContainsKey(k)).Order());
    }
}

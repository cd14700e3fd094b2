using System.Text.RegularExpressions;
using TravelFunctions.Tests.Packaging.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// Every configuration key an app reads is an app setting in infra/app-settings.json (which
/// scripts/check-infra.sh holds equal to main.bicep), and every setting there is read by something.
/// </summary>
[Collection(PackagesCollection.Name)]
public class ConfigKeysTests(Packages packages)
{
    private static void AssertAgree(string app, HashSet<string> read)
    {
        var infra = ConfigKeys.InfraKeys(app);
        var missing = read.Where(k => !infra.Contains(k)).Order().ToList();
        Assert.True(missing.Count == 0, $"{app} reads settings infra/app-settings.json (and main.bicep) does not set: {string.Join(", ", missing)}");
        var unread = infra.Where(k => !read.Contains(k) && !ConfigKeys.IsAmbient(k)).Order().ToList();
        Assert.True(unread.Count == 0, $"infra/app-settings.json sets settings {app} never reads: {string.Join(", ", unread)}");
    }

    [Fact]
    public void Http_app_settings_match_infra_both_ways()
    {
        var read = ConfigKeys.ReadBy("Functions.Http", ConfigKeys.InfraKeys("Functions.Http"));
        Assert.Superset(new HashSet<string> { "TravelDb", "TravelDbDirect", "Jwt__SigningKey", "Jwt__Issuer", "Jwt__Audience", "Auth__PermitsPerMinute" }, read);
        AssertAgree("Functions.Http", read);
    }

    // Depends on the timers app (branch timers-jobs): its jobs, and its emit-functions verb for the schedule settings.
    [Fact]
    public async Task Timers_app_settings_match_infra_both_ways()
    {
        var read = ConfigKeys.ReadBy("Functions.Timers", ConfigKeys.InfraKeys("Functions.Timers"));
        Assert.Superset(new HashSet<string> { "TravelDbDirect", "AZURE_CLIENT_ID", "ArchiveStorage", "ArchiveContainer" }, read);
        // The host reads the schedules: function.json says "schedule": "%XSchedule%".
        var root = PackagedApp.Unzip(await packages.ZipAsync("Functions.Timers"));
        try
        {
            foreach (var function in EmittedFunctions.Read(root).Values)
                foreach (Match m in Regex.Matches(function.ToJsonString(), "%([A-Za-z0-9_]+)%"))
                    read.Add(m.Groups[1].Value);
        }
        finally { Directory.Delete(root, recursive: true); }
        AssertAgree("Functions.Timers", read);
    }

    [Fact]
    public void The_scanner_finds_the_kinds_of_reads_the_code_uses()
    {
        // A literal indexer, a GetValue with a default, an options section, and an environment read through a constant.
        var http = ConfigKeys.ReadBy("Functions.Http", []);
        Assert.Contains("TravelDb", http);
        Assert.Contains("Auth__PermitsPerMinute", http);
        Assert.Contains("Jwt__RefreshTokenDays", http);
        var timers = ConfigKeys.ReadBy("Functions.Timers", []);
        Assert.Contains("AZURE_CLIENT_ID", timers);
        Assert.DoesNotContain("FUNCTIONS_CUSTOMHANDLER_PORT", timers);
    }
}

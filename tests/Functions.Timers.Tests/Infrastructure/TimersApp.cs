using System.Reflection;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>The timers app's build output (built with this project) and the app settings it runs with on a test database.</summary>
public static class TimersApp
{
    /// <summary>A schedule that does not come round during a test run: the host fires nothing on its own.</summary>
    public const string NeverDuringTests = "0 0 0 1 1 *";

    public static readonly string[] Jobs = ["PartitionMaintenance", "CacheExpiry", "AnalyzeTables", "RetentionPurge", "RefreshReporting", "ProviderKeyRewrap", "NotificationReminders", "ErasureRewrite", "PlanningLeases"];

    public static string Directory { get; } = Path.Combine(TestStack.RepoRoot, "src", "Functions.Timers", "bin", Configuration(), "net10.0");

    /// <summary>
    /// Wired as in Azure: TravelDb is the pooled endpoint (PgBouncer, transaction mode) as travel_maintenance, TravelDbDirect
    /// the direct endpoint as travel_owner; the archive in a container of the class's own on Azurite.
    /// </summary>
    public static Dictionary<string, string> Settings(TestDatabase database)
    {
        var settings = new Dictionary<string, string>
        {
            ["TravelDb"] = database.Maintenance,
            ["TravelDbDirect"] = database.Direct,
            ["ArchiveStorage"] = TestStack.ArchiveStorage,
            ["ArchiveContainer"] = "timers-" + Guid.NewGuid().ToString("N")[..12],
            ["ProviderKeys__CurrentKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var job in Jobs) settings[job + "Schedule"] = NeverDuringTests;
        return settings;
    }

    private static string Configuration() =>
        typeof(TimersApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TimersAppConfiguration").Value!;
}

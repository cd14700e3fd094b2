using System.Reflection;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>The sample worker's build output (tests/SampleWorker, built with this project) and the settings it needs.</summary>
internal static class SampleApp
{
    // A schedule that does not come round during a test run.
    public const string NeverDuringTests = "0 0 0 1 1 *";

    public static string Directory { get; } = Path.Combine(RepoRoot(), "tests", "SampleWorker", "bin", Configuration(), "net10.0");

    /// <summary>A fresh folder for the timer functions' run logs and failure counters.</summary>
    public static string NewStateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "localhost-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static Dictionary<string, string> Settings(string stateDirectory, string tickSchedule = NeverDuringTests) => new()
    {
        ["SampleStateDirectory"] = stateDirectory,
        ["SampleTickSchedule"] = tickSchedule,
        ["SampleTockSchedule"] = NeverDuringTests,
        ["SampleSetting"] = "from-settings",
    };

    public static LocalHostOptions Options(string stateDirectory, Action<string>? output = null) => new()
    {
        AppDirectory = Directory,
        Settings = Settings(stateDirectory),
        RetryDelayOverride = TimeSpan.FromMilliseconds(50),
        Output = output,
    };

    private static string Configuration() =>
        typeof(SampleApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleWorkerConfiguration").Value!;

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TravelFunctions.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TravelFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}

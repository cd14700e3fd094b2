namespace TravelFunctions.TestSupport;

/// <summary>The function apps' build outputs (functions.metadata, worker.config.json, host.json beside the worker), as the tests' own build made them.</summary>
public static class TestApps
{
    public static string Http => BuildOutput("Functions.Http");
    public static string Timers => BuildOutput("Functions.Timers");

    /// <summary>src/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0 of the configuration these tests were built in.</summary>
    public static string BuildOutput(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // …/bin/Debug/net10.0/
        var dir = Path.Combine(TestStack.RepoRoot, "src", project, "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(dir, "functions.metadata"))
            ? dir
            : throw new InvalidOperationException($"{dir} has no functions.metadata: build the solution first (dotnet build TravelFunctions.sln).");
    }
}

using System.Diagnostics;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<Packages>
{
    public const string Name = "packages";
}

/// <summary>
/// The deployable zips, built by scripts/publish.sh at most once per test run and per app (publishing takes
/// a while on two cores). Zips already in artifacts/ are reused when newer than every input (src/, the
/// migrations, host.json, the script, the build props).
/// </summary>
public sealed class Packages
{
    private readonly Dictionary<string, Task<string>> _builds = new();
    // One publish at a time: each is a composite ReadyToRun compile that keeps both cores busy on its own.
    private static readonly SemaphoreSlim OnePublish = new(1, 1);

    public Task<string> ZipAsync(string app)
    {
        lock (_builds)
        {
            if (!_builds.TryGetValue(app, out var build)) _builds[app] = build = Task.Run(() => BuildAsync(app));
            return build;
        }
    }

    private static async Task<string> BuildAsync(string app)
    {
        await OnePublish.WaitAsync();
        try
        {
            return await PublishAsync(app);
        }
        finally
        {
            OnePublish.Release();
        }
    }

    private static async Task<string> PublishAsync(string app)
    {
        var repo = TestStack.RepoRoot;
        var zip = Path.Combine(repo, "artifacts", app + ".zip");
        if (File.Exists(zip) && File.GetLastWriteTimeUtc(zip) > NewestInput(repo)) return zip;

        var log = Path.Combine(Path.GetTempPath(), $"publish-{app}-{Guid.NewGuid():N}.log");
        // Output to a file, not a pipe: nothing the script starts can then keep the test waiting on it.
        var psi = new ProcessStartInfo("bash", ["-c", $"exec scripts/publish.sh {app} >'{log}' 2>&1"]) { WorkingDirectory = repo };
        using var process = Process.Start(psi)!;
        // Bounded so a hung publish fails the test instead of the CI run (two to four minutes on a quiet 2-core machine).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/publish.sh {app} did not finish within 30 minutes:\n{Tail(File.ReadAllText(log), 4000)}");
        }
        var output = File.ReadAllText(log);
        File.Delete(log);
        if (process.ExitCode != 0 || !File.Exists(zip))
            throw new InvalidOperationException($"scripts/publish.sh {app} failed (exit {process.ExitCode}):\n{Tail(output, 4000)}");
        return zip;
    }

    private static DateTime NewestInput(string repo)
    {
        var files = new[] { "host.json", "scripts/publish.sh", "Directory.Build.props", "Directory.Packages.props" }
            .Select(f => Path.Combine(repo, f)).Where(File.Exists)
            .Concat(Tree(Path.Combine(repo, "src"))).Concat(Tree(Path.Combine(repo, "sql")));
        return files.Max(File.GetLastWriteTimeUtc);
    }

    private static IEnumerable<string> Tree(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"));

    /// <summary>A package unzipped into a temporary folder, as the platform does: unzip restores the modes stored in the zip.</summary>
    public static string Unzip(string zip)
    {
        var root = Path.Combine(Path.GetTempPath(), "tf-package-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        using var unzip = Process.Start(new ProcessStartInfo("unzip", ["-q", zip, "-d", root]))!;
        unzip.WaitForExit();
        if (unzip.ExitCode != 0) throw new InvalidOperationException($"unzip {zip} failed ({unzip.ExitCode}).");
        return root;
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : "…" + text[^chars..];
}

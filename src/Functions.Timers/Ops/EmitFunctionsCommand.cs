using System.Text.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Timers.Scheduling;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers emit-functions <dir>`: writes {dir}/{Name}/function.json for every registered job,
/// a timerTrigger whose schedule is the app setting %{Name}Schedule%. Generated from the same job list
/// the app serves, so the package's metadata and the code cannot disagree; a function folder left from
/// an earlier build (a timerTrigger function.json whose job no longer exists) is removed.
/// </summary>
public static class EmitFunctionsCommand
{
    public static int Run(string[] args, IServiceProvider services, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length != 1)
        {
            stderr.WriteLine("usage: emit-functions <dir>");
            return 2;
        }
        var dir = Path.GetFullPath(args[0]);
        var catalog = services.GetRequiredService<JobCatalog>();
        Directory.CreateDirectory(dir);
        foreach (var job in catalog.Jobs)
        {
            var folder = Path.Combine(dir, job.Name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "function.json"), FunctionJson(job).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            stdout.WriteLine($"emit-functions: {job.Name}/function.json (schedule %{job.Setting}%)");
        }
        foreach (var stale in Directory.GetDirectories(dir))
        {
            var name = Path.GetFileName(stale);
            var file = Path.Combine(stale, "function.json");
            if (catalog.Find(name) is not null || !File.Exists(file) || !IsTimerFunction(file)) continue;
            File.Delete(file);
            if (!Directory.EnumerateFileSystemEntries(stale).Any()) Directory.Delete(stale);
            stdout.WriteLine($"emit-functions: removed stale {name}/function.json");
        }
        return 0;
    }

    public static JsonObject FunctionJson(ScheduledJob job) => new()
    {
        ["bindings"] = new JsonArray(new JsonObject
        {
            ["type"] = "timerTrigger",
            ["name"] = "timer",
            ["direction"] = "in",
            ["schedule"] = $"%{job.Setting}%",
            ["useMonitor"] = true,
            ["runOnStartup"] = false,
        }),
    };

    private static bool IsTimerFunction(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file))?["bindings"]?.AsArray()
                .Any(b => b?["type"]?.GetValue<string>() == "timerTrigger") == true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}

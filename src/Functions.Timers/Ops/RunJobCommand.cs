using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Scheduling;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers run <FunctionName> [--dry-run]`: runs one job now (same JobRunner as the host and
/// the scheduler) and prints its summary. Exit 0 unless the run failed (1); 2 for a usage error.
/// --dry-run reports what each unit would do and writes nothing (not even a ledger row).
/// </summary>
public static class RunJobCommand
{
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var catalog = services.GetRequiredService<JobCatalog>();
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var options = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (names.Count != 1 || options.Any(o => o != "--dry-run"))
        {
            stderr.WriteLine($"usage: run <FunctionName> [--dry-run]   (functions: {string.Join(", ", catalog.Jobs.Select(j => j.Name))})");
            return 2;
        }
        if (catalog.Find(names[0]) is not { } job)
        {
            stderr.WriteLine($"run: no function named '{names[0]}' (functions: {string.Join(", ", catalog.Jobs.Select(j => j.Name))})");
            return 2;
        }
        var runner = services.GetRequiredService<JobRunner>();
        var result = await runner.RunAsync(job.Job, "cli-" + Guid.NewGuid().ToString("N"), options.Contains("--dry-run"), ct);
        foreach (var line in result.Lines()) (result.Succeeded ? stdout : stderr).WriteLine(line);
        stdout.WriteLine(result.SummaryJson);
        return result.Succeeded ? 0 : 1;
    }
}

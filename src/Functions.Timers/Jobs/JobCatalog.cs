using System.Text.RegularExpressions;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Timers.Jobs;

/// <summary>
/// The registered jobs (IEnumerable&lt;IMaintenanceJob&gt; from DI) by function name: what the timer functions,
/// `run &lt;job&gt;` and its job list look up. Built once; a job name that cannot be a function or two jobs of one
/// name fail here, at start.
/// </summary>
public sealed partial class JobCatalog
{
    // Azure Functions' function-name rule, narrowed by the job ledger's CHECK (no '-', at most 100 chars).
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,99}$")]
    public static partial Regex FunctionName();

    public JobCatalog(IEnumerable<IMaintenanceJob> jobs)
    {
        var list = new List<IMaintenanceJob>();
        foreach (var job in jobs)
        {
            if (!FunctionName().IsMatch(job.Name))
                throw new InvalidOperationException($"Job name '{job.Name}' is not a valid function name (^[A-Za-z][A-Za-z0-9_]{{0,99}}$).");
            if (list.Any(j => string.Equals(j.Name, job.Name, StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"Two jobs are registered as '{job.Name}'.");
            list.Add(job);
        }
        Jobs = list;
    }

    public IReadOnlyList<IMaintenanceJob> Jobs { get; }

    public IEnumerable<string> Names => Jobs.Select(j => j.Name);

    /// <summary>Function names are case-insensitive in Azure Functions.</summary>
    public IMaintenanceJob? Find(string name) => Jobs.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));

    public IMaintenanceJob Get(string name) =>
        Find(name) ?? throw new InvalidOperationException($"No job named '{name}' is registered (jobs: {string.Join(", ", Names)}).");

    /// <summary>The app setting that holds a job's schedule: its timer trigger reads %{Name}Schedule%.</summary>
    public static string ScheduleSetting(string jobName) => jobName + "Schedule";
}

using System.Text.RegularExpressions;
using NCrontab;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Timers.Scheduling;

/// <summary>One job, its schedule setting ({Name}Schedule), the expression in force and its parse.</summary>
public sealed record ScheduledJob(IMaintenanceJob Job, string Setting, string Expression, CrontabSchedule Schedule)
{
    public string Name => Job.Name;
}

/// <summary>
/// The registered jobs (IEnumerable&lt;IMaintenanceJob&gt; from DI) with their schedules. Built once;
/// a bad job name or schedule fails here, at startup, with a message naming the setting.
/// </summary>
public sealed partial class JobCatalog
{
    // Azure Functions' function-name rule, narrowed by the job ledger's CHECK (no '-', at most 100 chars).
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,99}$")]
    public static partial Regex FunctionName();

    public JobCatalog(IEnumerable<IMaintenanceJob> jobs, IConfiguration config)
    {
        var list = new List<ScheduledJob>();
        foreach (var job in jobs)
        {
            if (!FunctionName().IsMatch(job.Name))
                throw new InvalidOperationException($"Job name '{job.Name}' is not a valid function name (^[A-Za-z][A-Za-z0-9_]{{0,99}}$).");
            if (list.Any(j => string.Equals(j.Name, job.Name, StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"Two jobs are registered as '{job.Name}'.");
            var setting = SettingName(job.Name);
            var expression = config[setting] is { } configured && !string.IsNullOrWhiteSpace(configured) ? configured.Trim() : job.DefaultSchedule;
            list.Add(new ScheduledJob(job, setting, expression, CronSchedules.Parse(setting, expression)));
        }
        Jobs = list;
    }

    public IReadOnlyList<ScheduledJob> Jobs { get; }

    /// <summary>Function names are case-insensitive in Azure Functions.</summary>
    public ScheduledJob? Find(string name) => Jobs.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string SettingName(string jobName) => jobName + "Schedule";
}

public static class CronSchedules
{
    /// <summary>The Functions host's dialect: 6-field NCRONTAB with seconds, evaluated in UTC.</summary>
    public static CrontabSchedule Parse(string setting, string expression)
    {
        try
        {
            return CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        }
        catch (CrontabException ex)
        {
            throw new InvalidOperationException(
                $"Setting {setting} = '{expression}' is not a valid 6-field NCRONTAB expression " +
                $"(second minute hour day month day-of-week, UTC; e.g. '0 */10 * * * *'): {ex.Message}", ex);
        }
    }
}

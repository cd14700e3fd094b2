using Microsoft.Extensions.Logging;

namespace TravelFunctions.Data.Jobs;

/// <summary>What happened to one unit of a job (usually one table or one partition).</summary>
public enum UnitOutcome
{
    Done,
    NothingToDo,
    /// <summary>Another invocation holds the unit's lock; it will do the work.</summary>
    Contended,
    Failed,
    /// <summary>The time budget ran out before this unit; the next run picks it up.</summary>
    Deferred,
}

public sealed record UnitResult(string Unit, UnitOutcome Outcome, string? Detail = null, IReadOnlyDictionary<string, object?>? Data = null);

/// <summary>
/// Everything a job needs for one run: a deadline inside the function timeout, cancellation, a clock
/// (injectable for tests), dry-run, and a logger. Jobs check <see cref="OutOfTime"/> between units and
/// stop cleanly; whatever is left is reported as <see cref="UnitOutcome.Deferred"/>.
/// </summary>
public sealed class JobContext(string jobName, string invocationId, DateTimeOffset deadline, bool dryRun,
    TimeProvider clock, ILogger logger, CancellationToken cancellationToken)
{
    public string JobName { get; } = jobName;
    public string InvocationId { get; } = invocationId;
    public DateTimeOffset Deadline { get; } = deadline;
    public bool DryRun { get; } = dryRun;
    public TimeProvider Clock { get; } = clock;
    public ILogger Logger { get; } = logger;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public bool OutOfTime => Clock.GetUtcNow() >= Deadline;
    public TimeSpan Remaining => Deadline - Clock.GetUtcNow();
}

/// <summary>A maintenance job: one Azure Functions timer function, one schedule setting.</summary>
public interface IMaintenanceJob
{
    /// <summary>The function name (PartitionMaintenance, CacheExpiry, …).</summary>
    string Name { get; }

    /// <summary>6-field UTC NCRONTAB used when the app setting {Name}Schedule is absent.</summary>
    string DefaultSchedule { get; }

    /// <summary>Runs every unit, each with its own outcome: one unit's failure never skips the others.</summary>
    Task<IReadOnlyList<UnitResult>> RunAsync(JobContext context);
}

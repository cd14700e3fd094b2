using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.Jobs;

/// <summary>
/// Setting JobTimeBudgetSeconds (default 480): how long one run may work, well inside host.json's 10-minute
/// functionTimeout. Bound from the configuration root (the app setting has no section), checked by
/// <see cref="JobRunnerOptionsValidator"/>; the function app checks it at start.
/// </summary>
public sealed class JobRunnerOptions
{
    /// <summary>App settings at the configuration root (no section).</summary>
    public const string Section = "";

    public const int DefaultTimeBudgetSeconds = 480;
    /// <summary>Leaves room inside functionTimeout (600 s) for the hard stop, finishing the ledger row and answering the host.</summary>
    public const int MaxTimeBudgetSeconds = 560;

    public int JobTimeBudgetSeconds { get; set; } = DefaultTimeBudgetSeconds;

    public TimeSpan TimeBudget => TimeSpan.FromSeconds(JobTimeBudgetSeconds);

    /// <summary>
    /// After the budget, jobs stop between batches on their own; this much later the run's token is
    /// cancelled, which aborts a statement that is still running (its transaction rolls back).
    /// </summary>
    public TimeSpan HardStopGrace => TimeSpan.FromSeconds(20);

    /// <summary>A 'running' ledger row older than this was killed mid-way (functionTimeout is 10 minutes).</summary>
    public TimeSpan AbandonedAfter => TimeSpan.FromMinutes(15);
}

/// <summary>Plain code rather than data annotations: those cost a reflection pass at every cold start.</summary>
public sealed class JobRunnerOptionsValidator : IValidateOptions<JobRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, JobRunnerOptions options) =>
        options.JobTimeBudgetSeconds is >= 1 and <= JobRunnerOptions.MaxTimeBudgetSeconds
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Setting JobTimeBudgetSeconds = {options.JobTimeBudgetSeconds} must be a whole number of seconds from 1 to " +
                $"{JobRunnerOptions.MaxTimeBudgetSeconds} (host.json functionTimeout is 600 s).");
}

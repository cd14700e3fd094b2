using Microsoft.Extensions.Configuration;

namespace TravelFunctions.Data.Jobs;

/// <summary>Settings of the job runner. JobTimeBudgetSeconds: default 480, well inside host.json's 10-minute functionTimeout.</summary>
public sealed record JobRunnerOptions(TimeSpan TimeBudget)
{
    public const int DefaultTimeBudgetSeconds = 480;
    /// <summary>Leaves room inside functionTimeout (600 s) for finishing the ledger row and answering the host.</summary>
    public const int MaxTimeBudgetSeconds = 560;

    /// <summary>
    /// After the budget, jobs stop between batches on their own; this much later the run's token is
    /// cancelled, which aborts a statement that is still running (its transaction rolls back).
    /// </summary>
    public TimeSpan HardStopGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A 'running' ledger row older than this was killed mid-way (functionTimeout is 10 minutes).</summary>
    public TimeSpan AbandonedAfter { get; init; } = TimeSpan.FromMinutes(15);

    public static JobRunnerOptions FromConfiguration(IConfiguration config)
    {
        var text = config["JobTimeBudgetSeconds"];
        if (string.IsNullOrWhiteSpace(text)) return new(TimeSpan.FromSeconds(DefaultTimeBudgetSeconds));
        if (!int.TryParse(text, out var seconds) || seconds < 1 || seconds > MaxTimeBudgetSeconds)
            throw new InvalidOperationException(
                $"Setting JobTimeBudgetSeconds '{text}' must be a whole number of seconds from 1 to {MaxTimeBudgetSeconds} (functionTimeout is 600 s).");
        return new(TimeSpan.FromSeconds(seconds));
    }
}

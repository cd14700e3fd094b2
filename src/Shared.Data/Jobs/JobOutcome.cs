namespace TravelFunctions.Data.Jobs;

/// <summary>
/// The outcome of one job run, as recorded in maintenance.job_runs.outcome. Only <see cref="Failed"/>
/// is a failed invocation (the timer function throws and the host retries it; exit code 1 from `run`); the
/// others are successful invocations (exit code 0).
/// </summary>
public enum JobOutcome
{
    /// <summary>Every unit did its work (or had nothing to do, or another run did it).</summary>
    Done,
    /// <summary>No unit had anything to do.</summary>
    NothingToDo,
    /// <summary>Some units were deferred (time budget or cancellation); the next run continues.</summary>
    Partial,
    /// <summary>Another invocation held the lock of every unit that had work; it does the work.</summary>
    Contended,
    /// <summary>At least one unit failed, or the run itself could not start or finish.</summary>
    Failed,
}

public static class JobOutcomeText
{
    /// <summary>The ledger's spelling (maintenance.job_runs.outcome CHECK).</summary>
    public static string ToLedger(this JobOutcome outcome) => outcome switch
    {
        JobOutcome.Done => "done",
        JobOutcome.NothingToDo => "nothing_to_do",
        JobOutcome.Partial => "partial",
        JobOutcome.Contended => "contended",
        JobOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static string ToText(this UnitOutcome outcome) => outcome switch
    {
        UnitOutcome.Done => "done",
        UnitOutcome.NothingToDo => "nothing_to_do",
        UnitOutcome.Contended => "contended",
        UnitOutcome.Failed => "failed",
        UnitOutcome.Deferred => "deferred",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>
    /// One failed unit fails the run; otherwise deferred units make it partial; a run whose units were
    /// only contended (or had nothing to do) is contended; all nothing-to-do is nothing_to_do.
    /// </summary>
    public static JobOutcome Combine(IReadOnlyCollection<UnitResult> units)
    {
        if (units.Any(u => u.Outcome == UnitOutcome.Failed)) return JobOutcome.Failed;
        if (units.Any(u => u.Outcome == UnitOutcome.Deferred)) return JobOutcome.Partial;
        if (units.All(u => u.Outcome == UnitOutcome.NothingToDo)) return JobOutcome.NothingToDo;
        if (units.All(u => u.Outcome is UnitOutcome.Contended or UnitOutcome.NothingToDo)) return JobOutcome.Contended;
        return JobOutcome.Done;
    }
}

/// <summary>What one run of a job did. <see cref="RunId"/> is the ledger row (null for a dry run).</summary>
public sealed record JobRunResult(
    string Job, string InvocationId, long? RunId, JobOutcome Outcome, IReadOnlyList<UnitResult> Units,
    string? Error, TimeSpan Elapsed, bool DryRun, string SummaryJson)
{
    /// <summary>False only for <see cref="JobOutcome.Failed"/>: the invocation failed (the function throws, `run` exits 1).</summary>
    public bool Succeeded => Outcome != JobOutcome.Failed;

    /// <summary>One human line per unit, then the run's line: what `run` prints and the timer function logs.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = Units.Select(u => $"{Job}/{u.Unit}: {u.Outcome.ToText()}{(u.Detail is null ? "" : " - " + u.Detail)}").ToList();
        lines.Add($"{Job}: {Outcome.ToLedger()}{(DryRun ? " (dry run, nothing written)" : "")}"
            + $" in {Elapsed.TotalSeconds:0.000} s{(RunId is { } id ? $" (job_runs.id {id})" : "")}"
            + (Error is null ? "" : " - " + Error));
        return lines;
    }
}

using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Timers.Jobs;

/// <summary>
/// Thrown by a timer function whose run failed, so that the invocation fails and the host applies the retry policy.
/// The message is the run's summary line (job, outcome, ledger id, the units' errors).
/// </summary>
public sealed class JobFailedException(JobRunResult result) : Exception(result.Lines()[^1])
{
    public JobRunResult Result { get; } = result;
}

using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Timers.Jobs;

/// <summary>
/// What every timer function does with its invocation: run the job through the <see cref="JobRunner"/> (ledger row,
/// per-unit outcomes, time budget, advisory locks) under the invocation's id and cancellation token, log the run's
/// summary line by line, and map the outcome: failed → throw (the host retries); done, nothing to do, contended,
/// partial → return (the invocation succeeded, the outcome is in the log and the ledger).
/// </summary>
public sealed class JobInvocation(JobCatalog catalog, JobRunner runner, ILoggerFactory logs)
{
    public async Task RunAsync(string jobName, TimerInfo timer, FunctionContext context)
    {
        var job = catalog.Get(jobName);
        var log = logs.CreateLogger("TravelFunctions.Timers." + job.Name);
        if (timer.IsPastDue)
            log.LogWarning("{Job}: timer is past due (a scheduled run was missed); running now, invocation {InvocationId}",
                job.Name, context.InvocationId);

        var result = await runner.RunAsync(job, context.InvocationId, dryRun: false, context.CancellationToken);

        var level = result.Succeeded ? LogLevel.Information : LogLevel.Error;
        foreach (var line in result.Lines())
            log.Log(level, "{Line} [invocation {InvocationId}]", line, context.InvocationId);
        if (!result.Succeeded) throw new JobFailedException(result);
    }
}

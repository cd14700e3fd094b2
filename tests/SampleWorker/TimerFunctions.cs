using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace TravelFunctions.SampleWorker;

/// <summary>Timer functions that record each run in the folder named by the SampleStateDirectory setting:
/// one JSON line per run in &lt;name&gt;.log; a number in &lt;name&gt;.fail makes that many runs throw.</summary>
public sealed class TimerFunctions
{
    [Function("Tick")]
    [FixedDelayRetry(2, "00:00:10")]
    public void Tick([TimerTrigger("%SampleTickSchedule%")] TimerInfo timer, FunctionContext context) => Record("Tick", timer, context);

    [Function("Tock")]
    [ExponentialBackoffRetry(3, "00:00:01", "00:00:05")]
    public void Tock([TimerTrigger("%SampleTockSchedule%")] TimerInfo timer, FunctionContext context) => Record("Tock", timer, context);

    private static void Record(string name, TimerInfo timer, FunctionContext context)
    {
        var folder = Environment.GetEnvironmentVariable("SampleStateDirectory")
            ?? throw new InvalidOperationException("SampleStateDirectory is not set.");
        var run = new
        {
            invocationId = context.InvocationId,
            isPastDue = timer.IsPastDue,
            scheduleStatus = timer.ScheduleStatus is { } s ? new { s.Last, s.Next, s.LastUpdated } : null,
            retryCount = context.RetryContext?.RetryCount,
            maxRetryCount = context.RetryContext?.MaxRetryCount,
        };
        File.AppendAllText(Path.Combine(folder, name + ".log"), JsonSerializer.Serialize(run) + Environment.NewLine);

        var failFile = Path.Combine(folder, name + ".fail");
        if (File.Exists(failFile) && int.TryParse(File.ReadAllText(failFile), out var failures) && failures > 0)
        {
            File.WriteAllText(failFile, (failures - 1).ToString());
            throw new InvalidOperationException($"{name} failed on purpose ({failures} to go).");
        }
    }
}

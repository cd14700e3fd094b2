using NCrontab;
using TravelFunctions.LocalHost.Functions;
using TravelFunctions.LocalHost.Rpc;

namespace TravelFunctions.LocalHost.Timers;

/// <summary>One timer function: fires it on its schedule (UTC) like the host's timer listener, one run at a
/// time, and keeps in memory the schedule status the host would keep in storage.
///
/// IsPastDue: the host sets it when its storage schedule monitor finds, at start-up, an occurrence missed
/// while no host ran. Here nothing is kept across runs, so a fire counts as past due when it runs after the
/// occurrence following the one it was due for (the process was suspended or starved); on-demand
/// invocations say it themselves.</summary>
internal sealed class TimerTrigger(LoadedFunction function, RetryingInvoker invoker, OutputLog output)
{
    private readonly CrontabSchedule _schedule = FunctionIndex.ParseSchedule(function.Name, function.Schedule!);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private ScheduleStatus? _status;

    public LoadedFunction Function => function;

    /// <summary>Fires on the schedule until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunScheduleAsync(CancellationToken ct)
    {
        var next = _schedule.GetNextOccurrence(DateTime.UtcNow);
        output.Write($"[host] '{function.Name}' runs on '{function.Schedule}' (UTC); next at {next:o}.");
        while (!ct.IsCancellationRequested)
        {
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);

            var isPastDue = DateTime.UtcNow >= _schedule.GetNextOccurrence(next);
            try
            {
                await FireAsync(isPastDue, next, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // As the host: a failed fire never stops the schedule.
                output.Write($"[host] Scheduled run of '{function.Name}' failed: {ex.Message}");
            }
            next = _status is { } status && status.Next > next ? status.Next : _schedule.GetNextOccurrence(DateTime.UtcNow);
        }
    }

    /// <summary>Runs the function now (admin endpoint, InvokeAsync) with the status the host would read; updates nothing.</summary>
    public Task<InvocationResult> InvokeNowAsync(bool isPastDue, CancellationToken ct) => FireAsync(isPastDue, null, ct);

    private async Task<InvocationResult> FireAsync(bool isPastDue, DateTime? occurrence, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var firedAt = DateTime.UtcNow;
            var input = new TypedData { Json = TimerInput.ToJson(_status, isPastDue) };
            var result = await invoker.InvokeAsync(function, input, ct);
            if (occurrence is { } due)
            {
                // As the host: a fire a little early counts from its occurrence, and after a run that overlapped
                // later occurrences the next fire comes at once, not once per occurrence missed.
                var counted = due > firedAt ? due : firedAt;
                _status = new ScheduleStatus(counted, _schedule.GetNextOccurrence(counted), counted);
            }
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}

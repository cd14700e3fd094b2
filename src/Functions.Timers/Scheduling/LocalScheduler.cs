using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Hosting;

namespace TravelFunctions.Timers.Scheduling;

/// <summary>
/// Runs the jobs on their schedules when there is no Functions host (FUNCTIONS_CUSTOMHANDLER_PORT unset),
/// unless Scheduler__Enabled=false. Same cron dialect and settings as the host, same JobRunner code.
/// Each job runs on its own; a job still running when it is due again is skipped this time (and the
/// advisory locks would make a second copy report contended anyway).
/// </summary>
public sealed class LocalScheduler(JobCatalog catalog, JobRunner runner, IConfiguration config, TimeProvider clock, ILogger<LocalScheduler> log)
    : BackgroundService
{
    /// <summary>Wake at least this often, so a changed clock or a long sleep never misses much.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    public bool Enabled => !TimerHosting.IsHosted && config.GetValue("Scheduler:Enabled", true);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The catalog parses every schedule: an invalid one stops the app here, with the setting named.
        _ = catalog.Jobs;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            log.LogInformation("Local scheduler off ({Reason})", TimerHosting.IsHosted ? "the Functions host schedules the jobs" : "Scheduler__Enabled=false");
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var next = catalog.Jobs.ToDictionary(j => j.Name, j => j.Schedule.GetNextOccurrence(now));
        var running = new Dictionary<string, Task>();
        foreach (var j in catalog.Jobs) log.LogInformation("Scheduled {Job} '{Expression}' ({Setting}); next {Next:u}", j.Name, j.Expression, j.Setting, next[j.Name]);

        while (!stoppingToken.IsCancellationRequested)
        {
            now = clock.GetUtcNow().UtcDateTime;
            foreach (var j in catalog.Jobs.Where(j => next[j.Name] <= now))
            {
                next[j.Name] = j.Schedule.GetNextOccurrence(now);
                if (running.TryGetValue(j.Name, out var previous) && !previous.IsCompleted)
                {
                    log.LogWarning("{Job} is due but its previous run is still going; skipped until {Next:u}", j.Name, next[j.Name]);
                    continue;
                }
                running[j.Name] = RunOneAsync(j, stoppingToken);
            }
            var sleep = next.Values.Min() - clock.GetUtcNow().UtcDateTime;
            sleep = sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > MaxSleep ? MaxSleep : sleep;
            try { await Task.Delay(sleep, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        await Task.WhenAll(running.Values);
    }

    private async Task RunOneAsync(ScheduledJob j, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var result = await runner.RunAsync(j.Job, "local-" + Guid.NewGuid().ToString("N"), dryRun: false, stoppingToken);
            foreach (var line in result.Lines()) log.LogInformation("{Line}", line);
        }
        catch (Exception ex)
        {
            // JobRunner catches everything a job throws; this is a last guard so the scheduler keeps going.
            log.LogError(ex, "{Job}: scheduled run failed", j.Name);
        }
    }
}

using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Notifications;

/// <summary>
/// Reminders that come due with time (0022_notifications.sql): a booking's free cancellation ending within 48 hours,
/// and a trip starting tomorrow in each member's own time zone. Each sweep is an owner-run function travel_maintenance
/// may call, creating at most a batch per call and recording a key per notification in the same transaction, so a
/// run killed at any point, run twice or overlapping another never notifies anyone twice; the next run carries on.
/// Keys older than 90 days are forgotten at the end (they guard windows of hours).
/// </summary>
public sealed class NotificationRemindersJob(TravelDataSources sources) : IMaintenanceJob
{
    public static readonly TimeSpan DeadlineWindow = TimeSpan.FromHours(48);
    public static readonly TimeSpan KeyRetention = TimeSpan.FromDays(90);
    private const int Batch = 200;

    public string Name => "NotificationReminders";
    public string DefaultSchedule => "0 */15 * * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx) =>
    [
        await JobUnit.RunAsync(ctx, "cancellation_deadlines", ct => SweepAsync(ctx, "cancellation_deadlines",
            "SELECT app.remind_cancellation_deadlines(@now, @within, @batch)", new { within = DeadlineWindow }, ct)),
        await JobUnit.RunAsync(ctx, "trip_starts", ct => SweepAsync(ctx, "trip_starts",
            "SELECT app.remind_trip_starts(@now, @batch)", new { }, ct)),
        await JobUnit.RunAsync(ctx, "notification_keys", ct => SweepAsync(ctx, "notification_keys",
            "SELECT app.forget_notification_keys(@retention, @batch)", new { retention = KeyRetention }, ct)),
    ];

    /// <summary>Calls one sweep until a call creates (or forgets) nothing, each call its own short transaction.</summary>
    private async Task<UnitResult> SweepAsync(JobContext ctx, string unit, string sql, object extra, CancellationToken ct)
    {
        if (ctx.DryRun) return new(unit, UnitOutcome.Done, "dry run: would send what is due");
        var args = new DynamicParameters(extra);
        args.Add("now", ctx.Clock.GetUtcNow());
        args.Add("batch", Batch);
        long total = 0;
        while (true)
        {
            var (locked, n) = await JobUnit.LockedTransactionAsync(sources.Pooled, JobLocks.Key(ctx.JobName, unit),
                (conn, tx) => conn.ExecuteScalarAsync<int>(new CommandDefinition(sql, args, tx, cancellationToken: ct)), ct);
            if (!locked)
                return total == 0 ? new(unit, UnitOutcome.Contended, "another run holds this unit's lock")
                                  : new(unit, UnitOutcome.Done, $"{total} rows; another run took over", Rows(total));
            total += n;
            if (n == 0)
                return total == 0 ? new(unit, UnitOutcome.NothingToDo, "nothing due", Rows(0))
                                  : new(unit, UnitOutcome.Done, $"{total} rows", Rows(total));
            if (ctx.OutOfTime || ct.IsCancellationRequested)
                return new(unit, UnitOutcome.Deferred, $"{total} rows; stopped at the time budget", Rows(total));
        }
    }

    private static Dictionary<string, object?> Rows(long n) => new() { ["rows"] = n };
}

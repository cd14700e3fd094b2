using Microsoft.Extensions.Options;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Deletes what is past its retention, in batches, as travel_maintenance through the pooler (its
/// policies in 0002/0006 let it see every row; FK cascades run as the owner):
/// users soft-deleted longer ago than users' retention (GDPR: the FK cascades remove profiles, sessions, trips,
/// bookings, conversations, messages, events, notifications, feedback), refresh sessions that expired, or were
/// revoked longer ago than refresh_sessions' retention, idempotency keys past expires_at, and job ledger rows
/// older than job_runs' retention. The periods are per table in maintenance.table_settings (<see cref="RowRetention"/>,
/// read at the start of each run: an UPDATE there changes the next run, no deploy); batch sizes and pace are
/// settings (<see cref="MaintenanceOptions"/>).
/// "Now" is the run's clock (TimeProvider), so tests move time instead of rows.
/// Old notifications go with their monthly partition (PartitionMaintenance), not here.
/// travel_maintenance has no UPDATE on these tables, so no FOR UPDATE: rows are chosen by key and the
/// condition is re-checked in the DELETE, so a row changed meanwhile (a user restored) is left alone.
/// </summary>
public sealed class RetentionPurgeJob(TravelDataSources sources, IOptions<MaintenanceOptions> settings) : IMaintenanceJob
{
    // Read at each run, not here: listing the jobs (the catalog, `run`'s job list, --help) must not need valid settings.
    private MaintenanceOptions Options => settings.Value;

    public string Name => "RetentionPurge";
    public string DefaultSchedule => "0 30 4 * * *";

    /// <param name="Retention">The table_settings row whose retention_days applies (null: expires_at decides alone).</param>
    private sealed record Target(string Unit, string? Retention, string Count, string Delete, bool Users);

    private static readonly Target[] Targets =
    [
        new("users", "users",
            "SELECT count(*) FROM public.users WHERE deleted_at < @before",
            """
            DELETE FROM public.users
             WHERE id = ANY (ARRAY(SELECT id FROM public.users WHERE deleted_at < @before ORDER BY deleted_at LIMIT @batch))
               AND deleted_at < @before
            """, Users: true),
        new("refresh_sessions", "refresh_sessions",
            "SELECT count(*) FROM public.refresh_sessions WHERE expires_at < @now OR revoked_at < @before",
            """
            DELETE FROM public.refresh_sessions
             WHERE id = ANY (ARRAY(SELECT id FROM public.refresh_sessions
                                    WHERE expires_at < @now OR revoked_at < @before LIMIT @batch))
               AND (expires_at < @now OR revoked_at < @before)
            """, Users: false),
        new("idempotency_keys", null,
            "SELECT count(*) FROM public.idempotency_keys WHERE expires_at < @now",
            """
            DELETE FROM public.idempotency_keys
             WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.idempotency_keys WHERE expires_at < @now ORDER BY expires_at LIMIT @batch))
               AND expires_at < @now
            """, Users: false),
        new("job_runs", "job_runs",
            "SELECT count(*) FROM maintenance.job_runs WHERE started_at < @before",
            """
            DELETE FROM maintenance.job_runs
             WHERE id = ANY (ARRAY(SELECT id FROM maintenance.job_runs WHERE started_at < @before ORDER BY started_at LIMIT @batch))
               AND started_at < @before
            """, Users: false),
    ];

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var now = ctx.Clock.GetUtcNow();
        var retention = new RowRetention.PerRun(sources.Pooled, ctx.CancellationToken);
        var results = new List<UnitResult>();
        foreach (var t in Targets)
            results.Add(await JobUnit.RunAsync(ctx, t.Unit, async ct =>
            {
                // Without a retention row, expires_at decides alone (before is unused).
                var before = t.Retention is null ? now : await retention.CutoffAsync(t.Retention, now);
                if (before is null) return new UnitResult(t.Unit, UnitOutcome.NothingToDo, RowRetention.DisabledDetail);
                return await BatchedDelete.RunAsync(ctx, sources.Pooled, t.Unit, t.Count, t.Delete,
                    batch => new { now, before, batch },
                    t.Users ? Options.PurgeUserBatchSize : Options.PurgeBatchSize, Options.RestPerWork, ct);
            }));
        return results;
    }
}

using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Deletes what is past its retention, in batches, as travel_maintenance through the pooler (its
/// policies in 0002/0006 let it see every row; FK cascades run as the owner):
/// users soft-deleted more than <see cref="DeletedUserDays"/> days ago (GDPR: the FK cascades remove
/// profiles, sessions, trips, bookings, conversations, messages, events, notifications, feedback),
/// refresh sessions that expired or were revoked more than <see cref="RevokedSessionDays"/> days ago,
/// idempotency keys past expires_at, and job ledger rows older than <see cref="JobRunDays"/> days.
/// "Now" is the run's clock (TimeProvider), so tests move time instead of rows.
/// Old notifications go with their monthly partition (PartitionMaintenance), not here.
/// travel_maintenance has no UPDATE on these tables, so no FOR UPDATE: rows are chosen by key and the
/// condition is re-checked in the DELETE, so a row changed meanwhile (a user restored) is left alone.
/// </summary>
public sealed class RetentionPurgeJob(TravelDataSources sources) : IMaintenanceJob
{
    public const int DeletedUserDays = 30;
    /// <summary>Revoked sessions stay this long for refresh-token reuse detection (≥ the refresh token lifetime).</summary>
    public const int RevokedSessionDays = 30;
    public const int JobRunDays = 90;
    /// <summary>A user cascades into many rows: small batches keep each transaction short.</summary>
    public const int UserBatchSize = 100;
    public const int BatchSize = 1000;

    public string Name => "RetentionPurge";
    public string DefaultSchedule => "0 30 4 * * *";

    private sealed record Target(string Unit, string Count, string Delete, int Batch);

    private static readonly Target[] Targets =
    [
        new("users",
            "SELECT count(*) FROM public.users WHERE deleted_at < @usersBefore",
            """
            DELETE FROM public.users
             WHERE id = ANY (ARRAY(SELECT id FROM public.users WHERE deleted_at < @usersBefore ORDER BY deleted_at LIMIT @batch))
               AND deleted_at < @usersBefore
            """, UserBatchSize),
        new("refresh_sessions",
            "SELECT count(*) FROM public.refresh_sessions WHERE expires_at < @now OR revoked_at < @revokedBefore",
            """
            DELETE FROM public.refresh_sessions
             WHERE id = ANY (ARRAY(SELECT id FROM public.refresh_sessions
                                    WHERE expires_at < @now OR revoked_at < @revokedBefore LIMIT @batch))
               AND (expires_at < @now OR revoked_at < @revokedBefore)
            """, BatchSize),
        new("idempotency_keys",
            "SELECT count(*) FROM public.idempotency_keys WHERE expires_at < @now",
            """
            DELETE FROM public.idempotency_keys
             WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.idempotency_keys WHERE expires_at < @now ORDER BY expires_at LIMIT @batch))
               AND expires_at < @now
            """, BatchSize),
        new("job_runs",
            "SELECT count(*) FROM maintenance.job_runs WHERE started_at < @jobRunsBefore",
            """
            DELETE FROM maintenance.job_runs
             WHERE id = ANY (ARRAY(SELECT id FROM maintenance.job_runs WHERE started_at < @jobRunsBefore ORDER BY started_at LIMIT @batch))
               AND started_at < @jobRunsBefore
            """, BatchSize),
    ];

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var now = ctx.Clock.GetUtcNow();
        var results = new List<UnitResult>();
        foreach (var t in Targets)
            results.Add(await JobUnit.RunAsync(ctx, t.Unit, ct => BatchedDelete.RunAsync(ctx, sources.Pooled, t.Unit, t.Count, t.Delete,
                batch => new
                {
                    now,
                    batch,
                    usersBefore = now.AddDays(-DeletedUserDays),
                    revokedBefore = now.AddDays(-RevokedSessionDays),
                    jobRunsBefore = now.AddDays(-JobRunDays),
                }, t.Batch, ct)));
        return results;
    }
}

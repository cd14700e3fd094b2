using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Notifications;

public sealed record NotificationRow(Guid Id, string Kind, string Priority, string Title, string? Body, string? DataJson,
    Guid? TripId, Guid? BookingId, DateTimeOffset? ReadAt, DateTimeOffset CreatedAt, DateTimeOffset SortAt);

/// <summary>A notification waiting for the delivery agent on one channel, with the user's address for it.</summary>
public sealed record PendingDelivery(Guid Id, DateTimeOffset CreatedAt, Guid UserId, string Email, string? Phone, string? FirstName,
    string Kind, string Priority, string Title, string? Body, string? DataJson);

/// <summary>What reporting a delivery came to.</summary>
public abstract record DeliveryReport
{
    /// <summary>Recorded now, or the same status was recorded before (a repeated report changes nothing).</summary>
    public sealed record Recorded(string Status) : DeliveryReport;
    /// <summary>Another status was recorded before: a delivery is reported once.</summary>
    public sealed record AlreadyRecorded(string Status) : DeliveryReport;
    public sealed record NotFound : DeliveryReport;
}

/// <summary>
/// A user's notifications (their inbox, under row-level security) and the delivery agent's view of them (owner-run
/// functions of 0022, service context). Notifications are created only by the database (app.notify).
/// </summary>
public sealed class NotificationStore(Db db)
{
    // Unread first, each part newest first, as one keyset: a read notification sorts as if it were 2000 years older,
    // which puts every read one after every unread one while keeping both in time order.
    private const string SortAt = "CASE WHEN read_at IS NULL THEN created_at ELSE created_at - interval '2000 years' END";

    /// <summary><see cref="PageRequest{T}.Take"/> notifications after the keyset; the count of unread ones comes with them.</summary>
    public Task<(IReadOnlyList<NotificationRow> Rows, long Unread)> ListAsync(Guid userId, bool unreadOnly, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.ReadAsUserAsync<(IReadOnlyList<NotificationRow>, long)>(userId, $"""
            SELECT id, kind, priority, title, body, data::text AS data_json, trip_id, booking_id, read_at, created_at, {SortAt} AS sort_at
              FROM notifications
             WHERE user_id = app.current_user_id()
               AND (NOT @unreadOnly OR read_at IS NULL)
               AND (@afterAt::timestamptz IS NULL OR ({SortAt}, id) < (@afterAt, @afterId))
             ORDER BY sort_at DESC, id DESC
             LIMIT @take;
            SELECT count(*) FROM notifications WHERE user_id = app.current_user_id() AND read_at IS NULL;
            """, new { unreadOnly, afterAt = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => ((await grid.ReadAsync<NotificationRow>()).AsList(), await grid.ReadSingleAsync<long>()), ct);

    /// <summary>False when the user has no such notification. Reading one twice keeps the first time.</summary>
    public Task<bool> MarkReadAsync(Guid userId, Guid id, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx => await tx.ExecuteAsync(
            "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = @id AND user_id = app.current_user_id()", new { id }) > 0, ct);

    public Task<int> MarkAllReadAsync(Guid userId, CancellationToken ct) =>
        db.AsUserAsync(userId, tx => tx.ExecuteAsync(
            "UPDATE notifications SET read_at = now() WHERE user_id = app.current_user_id() AND read_at IS NULL"), ct);

    public Task<List<PendingDelivery>> PendingAsync(string channel, int limit, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) => (await conn.QueryAsync<PendingDelivery>(new CommandDefinition("""
            SELECT id, created_at, user_id, email, phone, first_name, kind, priority, title, body, data::text AS data_json
              FROM app.pending_notification_deliveries(@channel, @limit)
            """, new { channel, limit }, cancellationToken: token))).AsList(), ct);

    public Task<DeliveryReport> RecordDeliveryAsync(Guid id, string channel, string status, string? error, CancellationToken ct) =>
        db.AnonymousAsync<DeliveryReport>(async tx =>
            await tx.ExecuteScalarAsync<string>("SELECT app.record_notification_delivery(@id, @channel, @status, @error)",
                    new { id, channel, status, error }) switch
            {
                null => new DeliveryReport.NotFound(),
                var now when now == status => new DeliveryReport.Recorded(now),
                var other => new DeliveryReport.AlreadyRecorded(other),
            }, ct);
}

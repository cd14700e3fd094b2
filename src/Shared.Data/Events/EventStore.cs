using NpgsqlTypes;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Events;

/// <summary>A behavioural event from a client. Data is a JSON object as text; OccurredAt null means now.</summary>
public sealed record NewEvent(string EventType, string? Category, string? Data, string? SessionId, string? DeviceType, DateTimeOffset? OccurredAt);

public abstract record EventBatchResult
{
    public sealed record Accepted(int Count) : EventBatchResult;
    /// <summary>The event at Index (0-based) has an occurred_at outside every existing monthly partition.</summary>
    public sealed record OutsidePartitions(int Index) : EventBatchResult;
}

/// <summary>
/// Writes batches of user events with binary COPY. travel_app cannot COPY into user_events (PostgreSQL
/// refuses COPY FROM into a table with row-level security), so the batch is copied into a temporary
/// table that lives only for this transaction and moved with one INSERT .. SELECT that RLS checks row by
/// row. All in one transaction, so it is safe through PgBouncer in transaction mode (the temp table never
/// outlives the server connection's turn with us).
/// </summary>
/// <remarks>
/// Rows outside the monthly partitions are refused, never kept in the DEFAULT partition. Rather than
/// checking every row against the partition bounds before the move (a second pass over the batch, about
/// 6 % of the database's work for it), the move reports where each row landed: a row routed to the DEFAULT
/// partition had no month to go to, and the transaction is rolled back after finding the first such event.
/// </remarks>
public sealed class EventStore(Db db)
{
    public Task<EventBatchResult> AppendAsync(Guid userId, IReadOnlyList<NewEvent> events, CancellationToken ct) =>
        db.AsUserAsync<EventBatchResult>(userId, async tx =>
        {
            await tx.ExecuteAsync("""
                CREATE TEMP TABLE incoming_events (
                    ord int NOT NULL, event_type text NOT NULL, category text, data jsonb,
                    session_id text, device_type text, occurred_at timestamptz
                ) ON COMMIT DROP
                """);
            await CopyAsync(tx, events, ct);

            var moved = await tx.QuerySingleAsync<Moved>("""
                WITH inserted AS (
                  INSERT INTO user_events (user_id, event_type, category, data, session_id, device_type, occurred_at)
                  SELECT app.current_user_id(), event_type, category, data, session_id, device_type, coalesce(occurred_at, now())
                    FROM incoming_events
                  RETURNING tableoid
                )
                SELECT count(*)::int AS inserted,
                       count(*) FILTER (WHERE tableoid = 'public.user_events_default'::regclass)::int AS in_default
                  FROM inserted
                """);
            if (moved.InDefault == 0) return new EventBatchResult.Accepted(moved.Inserted);

            tx.RollbackWhenDone();
            var first = await tx.QuerySingleAsync<int?>("""
                WITH r AS MATERIALIZED (SELECT range_from, range_to FROM app.partition_ranges('public.user_events'))
                SELECT min(e.ord) FROM incoming_events e
                 WHERE NOT EXISTS (SELECT 1 FROM r WHERE coalesce(e.occurred_at, now()) >= r.range_from
                                                     AND coalesce(e.occurred_at, now()) < r.range_to)
                """);
            return new EventBatchResult.OutsidePartitions(first ?? throw new InvalidOperationException(
                "A row was routed to user_events_default, yet every row is inside a partition per app.partition_ranges."));
        }, ct);

    internal sealed record Moved(int Inserted, int InDefault);

    private static async Task CopyAsync(DbTx tx, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        await using var copy = await tx.Connection.BeginBinaryImportAsync(
            "COPY incoming_events (ord, event_type, category, data, session_id, device_type, occurred_at) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(i, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(e.EventType, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, e.Category, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, e.Data, NpgsqlDbType.Jsonb, ct);
            await WriteNullableAsync(copy, e.SessionId, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, e.DeviceType, NpgsqlDbType.Text, ct);
            if (e.OccurredAt is { } at) await copy.WriteAsync(at.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            else await copy.WriteNullAsync(ct);
        }
        await copy.CompleteAsync(ct);
    }

    private static async Task WriteNullableAsync(Npgsql.NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null) await copy.WriteNullAsync(ct);
        else await copy.WriteAsync(value, type, ct);
    }
}

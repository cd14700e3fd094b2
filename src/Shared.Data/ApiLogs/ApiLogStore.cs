using Npgsql;
using NpgsqlTypes;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.ApiLogs;

/// <summary>One external API call an agent made. Request/Response are JSON as text; OccurredAt null means now.</summary>
public sealed record NewApiLog(
    Guid? UserId, string Provider, string Endpoint, string Method, int? StatusCode, int DurationMs,
    string? Request, string? Response, string? Error, DateTimeOffset? OccurredAt);

public abstract record ApiLogBatchResult
{
    public sealed record Accepted(int Count) : ApiLogBatchResult;
    /// <summary>The entry at Index (0-based) has a time outside every existing monthly partition.</summary>
    public sealed record OutsidePartitions(int Index) : ApiLogBatchResult;
    /// <summary>The entry at Index names a user that does not exist.</summary>
    public sealed record UnknownUser(int Index) : ApiLogBatchResult;
}

/// <summary>
/// External API call logs, a service table without RLS: written by the agents' endpoint with binary COPY
/// straight into external_api_logs, after checking in the same transaction that every time falls in an
/// existing partition (never the DEFAULT one) and every user exists (so the batch fails with an index,
/// not on the foreign key). No app.user_id is set: the caller is an agent, not a user.
/// </summary>
public sealed class ApiLogStore(Db db)
{
    public Task<ApiLogBatchResult> AppendAsync(IReadOnlyList<NewApiLog> logs, CancellationToken ct) =>
        db.AnonymousAsync<ApiLogBatchResult>(async tx =>
        {
            var timed = Enumerable.Range(0, logs.Count).Where(i => logs[i].OccurredAt is not null).ToArray();
            var onBehalf = Enumerable.Range(0, logs.Count).Where(i => logs[i].UserId is not null).ToArray();
            var userIds = onBehalf.Select(i => logs[i].UserId!.Value).ToArray();
            var check = await tx.QuerySingleAsync<BatchCheck>("""
                WITH r AS MATERIALIZED (SELECT range_from, range_to FROM app.partition_ranges('public.external_api_logs'))
                SELECT (SELECT min(t.i) FROM unnest(@timed::int[], @ts::timestamptz[]) AS t(i, ts)
                         WHERE NOT EXISTS (SELECT 1 FROM r WHERE t.ts >= r.range_from AND t.ts < r.range_to)) AS first_outside,
                       (SELECT min(t.i) FROM unnest(@onBehalf::int[], @userIds::uuid[]) AS t(i, u)
                         WHERE t.u IN (SELECT app.unknown_user_ids(@userIds::uuid[]))) AS first_unknown_user,
                       now() AS now
                """, new { timed, ts = timed.Select(i => logs[i].OccurredAt!.Value.UtcDateTime).ToArray(), onBehalf, userIds });
            if (check.FirstOutside is { } outside) return new ApiLogBatchResult.OutsidePartitions(outside);
            if (check.FirstUnknownUser is { } unknown) return new ApiLogBatchResult.UnknownUser(unknown);

            await using var copy = await tx.Connection.BeginBinaryImportAsync("""
                COPY external_api_logs (user_id, provider, endpoint, method, status_code, duration_ms, request, response, error, created_at)
                FROM STDIN (FORMAT BINARY)
                """, ct);
            foreach (var l in logs)
            {
                await copy.StartRowAsync(ct);
                if (l.UserId is { } userId) await copy.WriteAsync(userId, NpgsqlDbType.Uuid, ct); else await copy.WriteNullAsync(ct);
                await copy.WriteAsync(l.Provider, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(l.Endpoint, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(l.Method, NpgsqlDbType.Text, ct);
                if (l.StatusCode is { } status) await copy.WriteAsync((short)status, NpgsqlDbType.Smallint, ct); else await copy.WriteNullAsync(ct);
                await copy.WriteAsync(l.DurationMs, NpgsqlDbType.Integer, ct);
                await WriteNullableAsync(copy, l.Request, NpgsqlDbType.Jsonb, ct);
                await WriteNullableAsync(copy, l.Response, NpgsqlDbType.Jsonb, ct);
                await WriteNullableAsync(copy, l.Error, NpgsqlDbType.Text, ct);
                await copy.WriteAsync((l.OccurredAt ?? check.Now).ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            }
            var written = await copy.CompleteAsync(ct);
            return new ApiLogBatchResult.Accepted((int)written);
        }, ct);

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null) await copy.WriteNullAsync(ct);
        else await copy.WriteAsync(value, type, ct);
    }

    internal sealed record BatchCheck(int? FirstOutside, int? FirstUnknownUser, DateTimeOffset Now);
}

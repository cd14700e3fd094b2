using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.SearchCache;

public enum SearchCacheKind { Flight, Hotel }

/// <summary>
/// Flight and hotel search caches (service tables, no RLS; the callers are agents, so no app.user_id).
/// A hit is recorded as one INSERT into search_cache_hits in the same statement as the read: no shared
/// row is updated, so concurrent readers of a popular search never queue on a row lock
/// (maintenance.fold_search_cache_hits folds them into hit_count later; search_cache_hit_totals is exact now).
/// </summary>
public sealed class SearchCacheStore(Db db)
{
    private static string Table(SearchCacheKind kind) => kind == SearchCacheKind.Flight ? "flight_search_cache" : "hotel_search_cache";
    public static string KindText(SearchCacheKind kind) => kind == SearchCacheKind.Flight ? "flight" : "hotel";

    /// <summary>The entry as a JSON document (kind, parameters, results, cachedAt, expiresAt), or null when absent or expired.</summary>
    public Task<string?> GetAsync(SearchCacheKind kind, byte[] key, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.QuerySingleOrDefaultAsync<string>($"""
            WITH hit AS (
              SELECT params, results, created_at, expires_at FROM {Table(kind)}
               WHERE cache_key = @key AND expires_at > now()
            ), recorded AS (
              INSERT INTO search_cache_hits (cache_kind, cache_key) SELECT @kind, @key FROM hit
            )
            SELECT jsonb_build_object('kind', @kind::text, 'parameters', params, 'results', results,
                                      'cachedAt', created_at, 'expiresAt', expires_at)::text
              FROM hit
            """, new { key, kind = KindText(kind) }), ct);

    /// <summary>
    /// Inserts or replaces the entry; its hit count carries over. The caches are partitioned by expires_at
    /// (0009), so cache_key alone cannot be a unique index: the (kind, key) advisory lock makes puts of one
    /// key take turns, and the statement after it (a new snapshot) moves the existing row to its new bucket
    /// or inserts the first one. A put that finds no bucket for its expiry (CacheExpiry, which makes them
    /// ahead, has not run for a day) makes the buckets and tries once more.
    /// </summary>
    public async Task PutAsync(SearchCacheKind kind, SearchCacheKey key, string resultsJson, int ttlSeconds, CancellationToken ct)
    {
        try
        {
            await PutOnceAsync(kind, key, resultsJson, ttlSeconds, ct);
        }
        catch (PostgresException ex) when (IsNoBucket(ex))
        {
            await db.AnonymousAsync(tx => tx.ExecuteScalarAsync<int>("SELECT app.ensure_search_cache_partitions(@kind)", new { kind = KindText(kind) }), ct);
            await PutOnceAsync(kind, key, resultsJson, ttlSeconds, ct);
        }
    }

    private Task PutOnceAsync(SearchCacheKind kind, SearchCacheKey key, string resultsJson, int ttlSeconds, CancellationToken ct) =>
        db.AnonymousAsync(async tx =>
        {
            await tx.ExecuteAsync(LockSql, new { lockName = LockName(kind, key.Hash) });
            return await tx.ExecuteAsync($"""
                WITH moved AS (
                  UPDATE {Table(kind)}
                     SET params = @canonical::jsonb, results = @resultsJson::jsonb,
                         created_at = now(), expires_at = now() + make_interval(secs => @ttlSeconds)
                   WHERE cache_key = @hash
                  RETURNING 1
                )
                INSERT INTO {Table(kind)} (cache_key, params, results, created_at, expires_at)
                SELECT @hash, @canonical::jsonb, @resultsJson::jsonb, now(), now() + make_interval(secs => @ttlSeconds)
                 WHERE NOT EXISTS (SELECT 1 FROM moved)
                """, new { hash = key.Hash, canonical = key.CanonicalJson, resultsJson, ttlSeconds });
        }, ct);

    internal const string LockSql = "SELECT pg_advisory_xact_lock(hashtextextended(@lockName, 0))";

    /// <summary>The advisory lock name of one cache entry (puts of the same key take turns on it).</summary>
    public static string LockName(SearchCacheKind kind, byte[] hash) => $"search_cache:{KindText(kind)}:{Convert.ToHexString(hash)}";

    /// <summary>
    /// "no partition of relation … found for row": 23514 without a constraint name (a CHECK names its constraint; PostgreSQL 15
    /// does not name the table). Taken for something else, the retry after making buckets fails the same way and is reported.
    /// </summary>
    private static bool IsNoBucket(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.CheckViolation && string.IsNullOrEmpty(ex.ConstraintName);
}

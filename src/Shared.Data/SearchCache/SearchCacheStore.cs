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

    /// <summary>Inserts or replaces the entry; its hit count carries over.</summary>
    public Task PutAsync(SearchCacheKind kind, SearchCacheKey key, string resultsJson, int ttlSeconds, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.ExecuteAsync($"""
            INSERT INTO {Table(kind)} AS c (cache_key, params, results, created_at, expires_at)
            VALUES (@hash, @canonical::jsonb, @resultsJson::jsonb, now(), now() + make_interval(secs => @ttlSeconds))
            ON CONFLICT (cache_key) DO UPDATE
               SET params = excluded.params, results = excluded.results,
                   created_at = excluded.created_at, expires_at = excluded.expires_at
            """, new { hash = key.Hash, canonical = key.CanonicalJson, resultsJson, ttlSeconds }), ct);
}

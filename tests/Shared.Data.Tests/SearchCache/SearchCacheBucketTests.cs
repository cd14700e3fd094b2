using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.SearchCache;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.SearchCache;

/// <summary>
/// The search caches partitioned by expiry (0009), through the store as the API uses it (travel_app via PgBouncer):
/// one row per key whatever the puts, a re-put moves the row to its new bucket with its hits, and a put whose
/// expiry has no bucket yet makes it.
/// </summary>
public sealed class SearchCacheBucketTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static SearchCacheKey Key(string city)
    {
        Assert.True(SearchCacheKey.TryCreate([new("city", city), new("checkIn", "2027-05-01")], out var key, out _, out _));
        return key!;
    }

    private async Task<T> AdminAsync<T>(string sql, object? args = null)
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        return (await admin.ExecuteScalarAsync<T>(sql, args))!;
    }

    [Fact]
    public async Task Concurrent_puts_of_one_key_leave_one_row_and_a_re_put_moves_it_to_its_new_bucket_with_its_hits()
    {
        await using var sources = new TravelDataSources(db.Pooled, null);
        var store = new SearchCacheStore(new Db(sources));
        var key = Key("Porto");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            store.PutAsync(SearchCacheKind.Hotel, key, $"[{i}]", 60 + i * 4000, CancellationToken.None)));
        Assert.Equal(1L, await AdminAsync<long>("SELECT count(*) FROM hotel_search_cache WHERE cache_key = @k", new { k = key.Hash }));

        await store.PutAsync(SearchCacheKind.Hotel, key, "\"short\"", 60, CancellationToken.None);
        for (var i = 0; i < 3; i++) Assert.NotNull(await store.GetAsync(SearchCacheKind.Hotel, key.Hash, CancellationToken.None));
        Assert.Equal(3L, await AdminAsync<long>("SELECT maintenance.fold_search_cache_hits()"));
        Assert.NotNull(await store.GetAsync(SearchCacheKind.Hotel, key.Hash, CancellationToken.None));  // one pending hit
        var shortBucket = await AdminAsync<string>("SELECT tableoid::regclass::text FROM hotel_search_cache WHERE cache_key = @k", new { k = key.Hash });

        // A day's TTL lands at least three buckets further: the row moves, its folded hits with it.
        await store.PutAsync(SearchCacheKind.Hotel, key, "\"long\"", 86_400, CancellationToken.None);
        var (count, bucket, hits, results) = await AdminRowAsync(key);
        Assert.Equal(1L, count);
        Assert.NotEqual(shortBucket, bucket);
        Assert.Equal(3L, hits);
        Assert.Equal("\"long\"", results);
        Assert.Equal(4L, await AdminAsync<long>(
            "SELECT hit_count FROM search_cache_hit_totals WHERE cache_kind = 'hotel' AND cache_key = @k", new { k = key.Hash }));
    }

    [Fact]
    public async Task A_put_whose_expiry_has_no_bucket_makes_the_buckets_and_is_stored()
    {
        // As if CacheExpiry had not run for days: no flight bucket ends after now + 1 hour.
        await using (var admin = new NpgsqlConnection(db.Admin))
        {
            await admin.OpenAsync();
            var late = await admin.QueryAsync<string>("""
                SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'flight_search_cache'::regclass
                   AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz > now() + interval '1 hour'
                """);
            foreach (var bucket in late)
                await admin.ExecuteAsync($"ALTER TABLE flight_search_cache DETACH PARTITION {bucket}; DROP TABLE {bucket}");
        }
        await using var sources = new TravelDataSources(db.Pooled, null);
        var store = new SearchCacheStore(new Db(sources));
        var key = Key("Faro");

        await store.PutAsync(SearchCacheKind.Flight, key, "[1]", 7200, CancellationToken.None);

        Assert.NotNull(await store.GetAsync(SearchCacheKind.Flight, key.Hash, CancellationToken.None));
        // Made through now + max TTL + one bucket, so the next puts find theirs.
        Assert.True(await AdminAsync<bool>("""
            SELECT max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz) > now() + interval '1 day'
              FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'flight_search_cache'::regclass
            """));
        Assert.Equal(0L, await AdminAsync<long>(
            "SELECT count(*) FROM pg_class WHERE relname ~ '^flight_search_cache_e' AND pg_get_userbyid(relowner) <> 'travel_owner'"));
    }

    private async Task<(long Count, string Bucket, long Hits, string Results)> AdminRowAsync(SearchCacheKey key)
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        return await admin.QuerySingleAsync<(long, string, long, string)>("""
            SELECT count(*) OVER (), tableoid::regclass::text, hit_count, results::text FROM hotel_search_cache WHERE cache_key = @k
            """, new { k = key.Hash });
    }
}

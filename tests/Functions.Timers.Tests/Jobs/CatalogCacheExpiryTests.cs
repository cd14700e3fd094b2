using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>The catalog's units of CacheExpiry: expired booking links, stale reviews, stale provider data (CatalogCacheExpiry).</summary>
public sealed class CatalogCacheExpiryTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task Deletes_expired_links_and_stale_reviews_and_clears_stale_provider_data_only()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var now = fx.Clock.GetUtcNow();
        var attraction = await admin.ExecuteScalarAsync<Guid>("""
            WITH k AS (INSERT INTO countries (iso_code, name, timezone) VALUES ('PT', 'Portugal', 'Europe/Lisbon') RETURNING id),
                 c AS (INSERT INTO cities (country_id, name, location, google_places_id)
                       SELECT id, 'Lisboa', ST_SetSRID(ST_MakePoint(-9.14, 38.72), 4326)::geography, 'gp-lisboa' FROM k RETURNING id)
            INSERT INTO attractions (city_id, name, attraction_type, location, google_places_id, external_data, external_data_cached_at)
            SELECT c.id, 'Stale ' || i, 'museum', ST_SetSRID(ST_MakePoint(-9.14, 38.72), 4326)::geography, 'gp-a-' || i, '{"raw": 1}',
                   CASE WHEN i <= 3 THEN @now - interval '8 days' ELSE @now - interval '1 day' END
              FROM c, generate_series(1, 5) i
            RETURNING id
            """, new { now });
        await admin.ExecuteAsync("""
            INSERT INTO booking_links (linkable_type, attraction_id, provider, booking_url, cached_at, expires_at)
            SELECT 'attraction', (SELECT id FROM attractions ORDER BY id LIMIT 1), 'viator_' || i, 'https://viator.example/' || i, @now - interval '2 days',
                   CASE WHEN i <= 2345 THEN @now - interval '1 second' ELSE @now + interval '1 day' END
              FROM generate_series(1, 2360) i;
            INSERT INTO attraction_reviews (attraction_id, source, external_review_id, rating, cached_at)
            SELECT (SELECT id FROM attractions ORDER BY id LIMIT 1), 'google', 'r-' || i, 4,
                   CASE WHEN i <= 4 THEN @now - interval '31 days' ELSE @now - interval '29 days' END
              FROM generate_series(1, 10) i;
            """, new { now });

        var result = await fx.RunAsync("CacheExpiry");

        Assert.True(result.Succeeded);
        var row = await fx.Database.RowAsync(result.InvocationId);
        Assert.Equal(2345L, row.Unit("booking_links")["data"]!["rows"]!.GetValue<long>());
        Assert.Equal(3, row.Unit("booking_links")["data"]!["batches"]!.GetValue<int>());
        Assert.Equal(4L, row.Unit("attraction_reviews")["data"]!["rows"]!.GetValue<long>());
        Assert.Equal(3L, row.Unit("attractions.external_data")["data"]!["rows"]!.GetValue<long>());

        Assert.Equal(15L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM booking_links WHERE expires_at > @now", new { now }));
        Assert.Equal(15L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM booking_links"));
        Assert.Equal(6L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM attraction_reviews"));
        // The attractions stay; only the stale provider data goes.
        Assert.Equal(5L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM attractions"));
        Assert.Equal(2L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM attractions WHERE external_data IS NOT NULL"));
        Assert.Equal(3L, await admin.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM attractions WHERE external_data IS NULL AND external_data_cached_at IS NULL"));

        var second = await fx.RunAsync("CacheExpiry");
        Assert.Equal("nothing_to_do", (await fx.Database.RowAsync(second.InvocationId)).Outcome);
        Assert.NotEqual(Guid.Empty, attraction);
    }
}

using Dapper;
using Npgsql;
using TravelFunctions.Data.Places;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Places;

/// <summary>
/// The nearby and search statements the API runs, EXPLAINed as the app role through PgBouncer on a catalog big enough
/// (20 000 attractions, 5 000 cities, analyzed) that a sequential scan would be the planner's choice without the indexes.
/// </summary>
public sealed class PlacesIndexTests(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    // Per test (xunit makes an instance each); the catalog is made by the first only.
    public async Task InitializeAsync() => await api.AdminExecAsync("""
        DO $$ BEGIN IF EXISTS (SELECT 1 FROM countries WHERE iso_code = 'ZZ') THEN RETURN; END IF;
        INSERT INTO countries (iso_code, name, timezone) VALUES ('ZZ', 'Bench Land', 'UTC');
        INSERT INTO cities (country_id, name, location, google_places_id)
        SELECT (SELECT id FROM countries WHERE iso_code = 'ZZ'), 'City ' || md5(i::text),
               ST_SetSRID(ST_MakePoint(-170 + (i % 340), -60 + (i / 340) % 120), 4326)::geography, 'gp-city-' || i
          FROM generate_series(1, 5000) i;
        INSERT INTO attractions (city_id, name, attraction_type, location, google_places_id, opening_hours)
        SELECT c.ids[1 + i % 5000], 'Attraction ' || md5(i::text), (ARRAY['museum', 'park', 'landmark'])[1 + i % 3],
               ST_SetSRID(ST_MakePoint(-170 + (i * 0.017) % 340, -60 + (i * 0.0061) % 120), 4326)::geography,
               'gp-attr-' || i, '{"monday": [{"open": "09:00", "close": "17:00"}]}'
          FROM generate_series(1, 20000) i, (SELECT array_agg(id ORDER BY id) AS ids FROM cities) c;
        END $$;
        ANALYZE countries; ANALYZE cities; ANALYZE attractions;
        """);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> ExplainAsync(string sql, object args)
    {
        await using var conn = new NpgsqlConnection(api.Database.Pooled);
        var lines = await conn.QueryAsync<string>("EXPLAIN " + sql, args);
        return string.Join("\n", lines);
    }

    [Fact]
    public async Task Nearby_is_served_by_the_gist_index()
    {
        var plan = await ExplainAsync(PlaceReader.NearbySql, new
        {
            lat = 10.0, lon = 20.0, radiusMeters = 5000.0, type = (string?)null, category = (string?)null,
            now = new DateTimeOffset(2027, 5, 3, 10, 0, 0, TimeSpan.Zero), openNow = true, limit = 20,
        });
        Assert.Contains("attractions_location_idx", plan);
        Assert.DoesNotContain("Seq Scan on attractions", plan);
    }

    [Fact]
    public async Task Search_is_served_by_the_full_text_and_trigram_indexes()
    {
        var plan = await ExplainAsync(PlaceReader.SearchSql, new { q = "Sagrada Família", limit = 20 });
        foreach (var index in new[] { "cities_search_idx", "cities_name_trgm_idx", "attractions_search_idx", "attractions_name_trgm_idx" })
            Assert.Contains(index, plan);
        Assert.DoesNotContain("Seq Scan on attractions", plan);
        Assert.DoesNotContain("Seq Scan on cities", plan);
    }
}

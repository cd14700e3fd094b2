using Dapper;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Places;

/// <summary>
/// Catalog reads: public data, one statement each, one round trip (no transaction, no app.user_id).
/// Geography is built with plain PostGIS SQL from latitude/longitude doubles (docs/architecture.md says why).
/// </summary>
public sealed partial class PlaceReader(Db db)
{
    internal const string CountryColumns = """
        k.id, k.iso_code, k.name, ST_Y(k.centroid::geometry) AS lat, ST_X(k.centroid::geometry) AS lon, k.currency_code,
        k.timezone, k.popularity_score, k.daily_cost_budget, k.daily_cost_mid, k.daily_cost_luxury, k.created_at, k.updated_at
        """;

    internal const string CityColumns = """
        c.id, c.country_id, k.iso_code AS country_code, c.name, c.name_local, to_json(c.aliases)::text AS aliases_json,
        ST_Y(c.location::geometry) AS lat, ST_X(c.location::geometry) AS lon, c.city_type, c.population, c.popularity_score,
        c.iata_code, coalesce(c.timezone, k.timezone) AS timezone, c.google_places_id, c.created_at, c.updated_at,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name) ORDER BY r.name, r.id), '[]')
           FROM city_areas r WHERE r.city_id = c.id)::text AS areas_json
        """;

    // Booking links that have not expired yet, soonest first.
    internal const string AttractionColumns = """
        a.id, a.city_id, c.name AS city_name, k.iso_code AS country_code, a.name, a.name_local, a.attraction_type,
        to_json(a.categories)::text AS categories_json,
        a.address, ST_Y(a.location::geometry) AS lat, ST_X(a.location::geometry) AS lon, a.opening_hours::text AS opening_hours,
        coalesce(c.timezone, k.timezone) AS timezone, app.is_open(a.opening_hours, coalesce(c.timezone, k.timezone), @now) AS open_now,
        a.typical_visit_minutes, a.crowdedness, a.pricing_type, a.price_adult, a.price_currency, a.rating, a.review_count,
        a.accessibility::text AS accessibility, to_json(a.tags)::text AS tags_json, a.google_places_id, a.tripadvisor_id, a.getyourguide_id, a.viator_id,
        to_json(a.image_urls)::text AS image_urls_json, a.external_data::text AS external_data, a.external_data_cached_at, a.is_verified,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'provider', l.provider, 'bookingUrl', l.booking_url,
                                                      'deeplinkUrl', l.deeplink_url, 'priceFrom', l.price_from,
                                                      'priceCurrency', l.price_currency, 'affiliateCode', l.affiliate_code,
                                                      'expiresAt', l.expires_at) ORDER BY l.provider), '[]')
           FROM booking_links l WHERE l.attraction_id = a.id AND l.expires_at > @now)::text AS booking_links,
        a.created_at, a.updated_at, a.area_id, (SELECT r.name FROM city_areas r WHERE r.id = a.area_id) AS area_name
        """;

    public const string NearbySql = """
        SELECT a.id, a.name, a.attraction_type, to_json(a.categories)::text AS categories_json, a.city_id, c.name AS city_name, k.iso_code AS country_code,
               ST_Y(a.location::geometry) AS lat, ST_X(a.location::geometry) AS lon,
               ST_Distance(a.location, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography) AS distance_meters,
               a.rating, a.review_count, a.pricing_type,
               app.is_open(a.opening_hours, coalesce(c.timezone, k.timezone), @now) AS open_now
          FROM attractions a
          JOIN cities c ON c.id = a.city_id
          JOIN countries k ON k.id = c.country_id
         WHERE ST_DWithin(a.location, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography, @radiusMeters)
           AND (@type::text IS NULL OR a.attraction_type = @type)
           AND (@category::text IS NULL OR a.categories @> ARRAY[@category::text])
           AND (NOT @openNow OR app.is_open(a.opening_hours, coalesce(c.timezone, k.timezone), @now))
         ORDER BY distance_meters, a.id
         LIMIT @limit
        """;

    // Weighted full-text rank (names A, local names/codes B, aliases/types/tags C) plus trigram similarity of the
    // name, over accent- and case-folded text. The folded query is an immutable function of a parameter, so the
    // planner folds it to a constant and both GIN indexes serve the OR (a BitmapOr).
    public const string SearchSql = """
        (SELECT 'city' AS kind, c.id, c.name, NULL::text AS city_name, k.iso_code::text AS country_code,
                ST_Y(c.location::geometry) AS lat, ST_X(c.location::geometry) AS lon,
                (ts_rank(c.search_vector, plainto_tsquery('simple', app.fold(@q)))
                 + similarity(c.search_name, app.fold(@q)) + 0.1 * coalesce(c.popularity_score, 0))::float8 AS score
           FROM cities c JOIN countries k ON k.id = c.country_id
          WHERE c.search_vector @@ plainto_tsquery('simple', app.fold(@q)) OR c.search_name % app.fold(@q)
          ORDER BY score DESC, c.id LIMIT @limit)
        UNION ALL
        (SELECT 'attraction', a.id, a.name, c.name, k.iso_code::text,
                ST_Y(a.location::geometry), ST_X(a.location::geometry),
                (ts_rank(a.search_vector, plainto_tsquery('simple', app.fold(@q)))
                 + similarity(a.search_name, app.fold(@q)) + 0.02 * least(coalesce(a.rating, 0), 5))::float8
           FROM attractions a JOIN cities c ON c.id = a.city_id JOIN countries k ON k.id = c.country_id
          WHERE a.search_vector @@ plainto_tsquery('simple', app.fold(@q)) OR a.search_name % app.fold(@q)
          ORDER BY 8 DESC, a.id LIMIT @limit)
        ORDER BY score DESC, id
        LIMIT @limit
        """;

    public Task<List<NearbyRow>> NearbyAsync(NearbyFilter f, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) => (await conn.QueryAsync<NearbyRow>(new CommandDefinition(NearbySql, new
        {
            lat = f.Lat, lon = f.Lon, radiusMeters = f.RadiusKm * 1000, type = f.Type, category = f.Category,
            now = f.Now, openNow = f.OpenNow, limit = f.Limit,
        }, cancellationToken: token))).ToList(), ct);

    public Task<List<SearchHitRow>> SearchAsync(string q, int limit, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) => (await conn.QueryAsync<SearchHitRow>(new CommandDefinition(SearchSql,
            new { q, limit }, cancellationToken: token))).ToList(), ct);

    /// <summary>By id, or by ISO alpha-2 code.</summary>
    public Task<CountryRow?> CountryAsync(Guid? id, string? isoCode, CancellationToken ct) =>
        db.ReadPublicAsync((conn, token) => conn.QuerySingleOrDefaultAsync<CountryRow>(new CommandDefinition(
            $"SELECT {CountryColumns} FROM countries k WHERE k.id = @id OR k.iso_code = @isoCode", new { id, isoCode }, cancellationToken: token)), ct);

    public Task<CityRow?> CityAsync(Guid id, CancellationToken ct) =>
        db.ReadPublicAsync((conn, token) => conn.QuerySingleOrDefaultAsync<CityRow>(new CommandDefinition(
            $"SELECT {CityColumns} FROM cities c JOIN countries k ON k.id = c.country_id WHERE c.id = @id", new { id }, cancellationToken: token)), ct);

    public Task<AttractionRow?> AttractionAsync(Guid id, DateTimeOffset now, CancellationToken ct) =>
        db.ReadPublicAsync((conn, token) => conn.QuerySingleOrDefaultAsync<AttractionRow>(new CommandDefinition($"""
            SELECT {AttractionColumns}
              FROM attractions a JOIN cities c ON c.id = a.city_id JOIN countries k ON k.id = c.country_id
             WHERE a.id = @id
            """, new { id, now }, cancellationToken: token)), ct);
}

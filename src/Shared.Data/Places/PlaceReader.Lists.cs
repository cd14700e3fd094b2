using Dapper;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Places;

public sealed partial class PlaceReader
{
    internal const string AreaColumns = """
        r.id, r.city_id, r.name, r.description, ST_Y(r.center::geometry) AS lat, ST_X(r.center::geometry) AS lon,
        to_json(r.tags)::text AS tags_json, r.created_at, r.updated_at
        """;

    internal const string ReviewColumns = """
        v.id, v.attraction_id, v.source, v.external_review_id, v.author_name, v.rating, v.review_text, v.language, v.review_date, v.cached_at
        """;

    internal const string LinkColumns = """
        l.id, l.linkable_type, l.linkable_id, l.provider, l.booking_url, l.deeplink_url, l.price_from, l.price_currency,
        l.affiliate_code, l.cached_at, l.expires_at
        """;

    /// <returns>null when the city does not exist.</returns>
    public Task<List<CityAreaRow>?> AreasAsync(Guid cityId, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) =>
        {
            await using var grid = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT EXISTS (SELECT 1 FROM cities WHERE id = @cityId);
                SELECT {AreaColumns} FROM city_areas r WHERE r.city_id = @cityId ORDER BY r.name, r.id;
                """, new { cityId }, cancellationToken: token));
            if (!await grid.ReadSingleAsync<bool>()) return null;
            return (await grid.ReadAsync<CityAreaRow>()).AsList();
        }, ct);

    /// <summary>
    /// One page of an attraction's reviews, newest review date first, undated last (the keyset 0016's index has).
    /// Reviews cached longer than the CacheExpiry job keeps them are left out, so one it has not purged yet never shows.
    /// </summary>
    /// <returns>null when the attraction does not exist.</returns>
    public Task<List<ReviewRow>?> ReviewsAsync(Guid attractionId, PageRequest<DateOnly> page, DateTimeOffset now, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) =>
        {
            await using var grid = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT EXISTS (SELECT 1 FROM attractions WHERE id = @attractionId);
                SELECT {ReviewColumns}
                  FROM attraction_reviews v
                 WHERE v.attraction_id = @attractionId
                   -- Not past attraction_reviews' retention (0017): what CacheExpiry deletes never shows before it runs.
                   AND coalesce(v.cached_at >= (SELECT @now - make_interval(days => app.row_retention_days('attraction_reviews', @defaultDays))), true)
                   AND (@afterDate::date IS NULL OR (coalesce(v.review_date, date '1900-01-01'), v.id) < (@afterDate, @afterId))
                 ORDER BY coalesce(v.review_date, date '1900-01-01') DESC, v.id DESC
                 LIMIT @take
                """, new
            {
                attractionId, now, defaultDays = RowRetention.DefaultDays("attraction_reviews"), afterDate = page.After?.Value, afterId = page.After?.Id,
                take = page.Take,
            }, cancellationToken: token));
            if (!await grid.ReadSingleAsync<bool>()) return null;
            return (await grid.ReadAsync<ReviewRow>()).AsList();
        }, ct);

    /// <summary>
    /// The unexpired booking links of a trip the user may read (owner or accepted collaborator), by provider. One
    /// round trip as the user, so row-level security on booking_links (0013) applies as well as the check.
    /// </summary>
    /// <returns>null when the trip does not exist or is not the user's to read.</returns>
    public Task<List<BookingLinkRow>?> TripBookingLinksAsync(Guid userId, Guid tripId, DateTimeOffset now, CancellationToken ct) =>
        db.ReadAsUserAsync<List<BookingLinkRow>?>(userId, $"""
            SELECT app.can_read_trip(@tripId);
            SELECT {LinkColumns} FROM booking_links l WHERE l.trip_id = @tripId AND l.expires_at > @now ORDER BY l.provider, l.id;
            """, new { tripId, now }, async grid =>
        {
            if (!await grid.ReadSingleAsync<bool>()) return null;
            return (await grid.ReadAsync<BookingLinkRow>()).AsList();
        }, ct);
}

using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Places;

/// <summary>
/// Agent imports: upserts keyed by external id (ISO code for countries, Google Places id for cities, any of the
/// four provider ids for attractions, thing + provider for booking links), so importing the same place again
/// updates it and never adds a second row. A write replaces every descriptive field (absent means none), except
/// that an attraction keeps external ids the new import does not carry. Short transactions on the pooled endpoint.
/// </summary>
public sealed partial class PlaceWriter(Db db)
{
    private const string Point = "ST_SetSRID(ST_MakePoint(@Lon, @Lat), 4326)::geography";

    public Task<PlaceUpsert<CountryRow>> UpsertCountryAsync(CountryInput c, CancellationToken ct) =>
        db.AnonymousAsync<PlaceUpsert<CountryRow>>(async tx =>
        {
            var (id, created) = await tx.QuerySingleAsync<Upserted>($"""
                INSERT INTO countries AS k (iso_code, name, centroid, currency_code, timezone, popularity_score,
                                            daily_cost_budget, daily_cost_mid, daily_cost_luxury)
                VALUES (@IsoCode, @Name, CASE WHEN @Lat::float8 IS NOT NULL THEN {Point} END, @CurrencyCode, @Timezone,
                        @PopularityScore, @DailyCostBudget, @DailyCostMid, @DailyCostLuxury)
                ON CONFLICT (iso_code) DO UPDATE
                   SET name = excluded.name, centroid = excluded.centroid, currency_code = excluded.currency_code,
                       timezone = excluded.timezone, popularity_score = excluded.popularity_score,
                       daily_cost_budget = excluded.daily_cost_budget, daily_cost_mid = excluded.daily_cost_mid,
                       daily_cost_luxury = excluded.daily_cost_luxury, updated_at = now()
                RETURNING k.id, (xmax = 0) AS created
                """, c);
            var row = await tx.QuerySingleAsync<CountryRow>($"SELECT {PlaceReader.CountryColumns} FROM countries k WHERE k.id = @id", new { id });
            return created ? new PlaceUpsert<CountryRow>.Created(row) : new PlaceUpsert<CountryRow>.Updated(row);
        }, ct);

    public Task<PlaceUpsert<CityRow>> UpsertCityAsync(CityInput c, CancellationToken ct) =>
        db.AnonymousAsync<PlaceUpsert<CityRow>>(async tx =>
        {
            var hit = await tx.QuerySingleOrDefaultAsync<Upserted>($"""
                INSERT INTO cities AS c (country_id, name, name_local, aliases, location, city_type, population,
                                         popularity_score, iata_code, timezone, google_places_id)
                SELECT k.id, @Name, @NameLocal, @Aliases, {Point}, @CityType, @Population, @PopularityScore, @IataCode,
                       @Timezone, @GooglePlacesId
                  FROM countries k WHERE k.iso_code = @CountryCode
                ON CONFLICT (google_places_id) DO UPDATE
                   SET country_id = excluded.country_id, name = excluded.name, name_local = excluded.name_local,
                       aliases = excluded.aliases, location = excluded.location, city_type = excluded.city_type,
                       population = excluded.population, popularity_score = excluded.popularity_score,
                       iata_code = excluded.iata_code, timezone = excluded.timezone, updated_at = now()
                RETURNING c.id, (xmax = 0) AS created
                """, c);
            if (hit is null) return new PlaceUpsert<CityRow>.MissingParent("countryCode", "The country");
            var (id, created) = hit;
            var row = await tx.QuerySingleAsync<CityRow>(
                $"SELECT {PlaceReader.CityColumns} FROM cities c JOIN countries k ON k.id = c.country_id WHERE c.id = @id", new { id });
            return created ? new PlaceUpsert<CityRow>.Created(row) : new PlaceUpsert<CityRow>.Updated(row);
        }, ct);

    private const string AttractionValues = $"""
        city_id = @CityId, name = @Name, name_local = @NameLocal, attraction_type = @AttractionType, categories = @Categories,
        address = @Address, location = {Point}, opening_hours = @OpeningHours::jsonb, typical_visit_minutes = @TypicalVisitMinutes,
        crowdedness = @Crowdedness, pricing_type = @PricingType, price_adult = @PriceAdult, price_currency = @PriceCurrency,
        rating = @Rating, review_count = @ReviewCount, accessibility = @Accessibility::jsonb, tags = @Tags,
        google_places_id = coalesce(@GooglePlacesId, google_places_id), tripadvisor_id = coalesce(@TripadvisorId, tripadvisor_id),
        getyourguide_id = coalesce(@GetyourguideId, getyourguide_id), viator_id = coalesce(@ViatorId, viator_id),
        image_urls = @ImageUrls, is_verified = @IsVerified, area_id = @AreaId,
        external_data = coalesce(@ExternalData::jsonb, external_data),
        external_data_cached_at = CASE WHEN @ExternalData::jsonb IS NOT NULL THEN now() ELSE external_data_cached_at END
        """;

    /// <summary>
    /// Finds the attraction by any of its external ids (locking it): none, insert; one, update; two different
    /// ones, conflict. An insert that loses a race with another import of the same place (ON CONFLICT DO
    /// NOTHING inserts nothing) looks again and updates the winner's row.
    /// </summary>
    public Task<PlaceUpsert<AttractionRow>> UpsertAttractionAsync(AttractionInput a, DateTimeOffset now, CancellationToken ct) =>
        db.AnonymousAsync<PlaceUpsert<AttractionRow>>(async tx =>
        {
            if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM cities WHERE id = @CityId)", a))
                return new PlaceUpsert<AttractionRow>.MissingParent("cityId", "The city");
            // The foreign key checks this too (0016); asked first for a clear 400 rather than a failed statement.
            if (a.AreaId is not null
                && !await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM city_areas WHERE id = @AreaId AND city_id = @CityId)", a))
                return new PlaceUpsert<AttractionRow>.MissingParent("areaId", "An area of this city");
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var matches = (await tx.QueryAsync<Guid>("""
                    SELECT id FROM attractions
                     WHERE google_places_id = @GooglePlacesId OR tripadvisor_id = @TripadvisorId
                        OR getyourguide_id = @GetyourguideId OR viator_id = @ViatorId
                     ORDER BY id FOR UPDATE
                    """, a)).ToList();
                if (matches.Count > 1)
                    return new PlaceUpsert<AttractionRow>.Conflict("These external ids belong to different attractions; fix or merge them first.");
                Guid? id;
                if (matches.Count == 1)
                {
                    id = matches[0];
                    var args = new DynamicParameters(a);
                    args.Add("Id", id.Value);
                    await tx.ExecuteAsync($"UPDATE attractions SET {AttractionValues}, updated_at = now() WHERE id = @Id", args);
                }
                else
                {
                    id = await tx.QuerySingleOrDefaultAsync<Guid?>($"""
                        INSERT INTO attractions (city_id, name, name_local, attraction_type, categories, address, location, opening_hours,
                                                 typical_visit_minutes, crowdedness, pricing_type, price_adult, price_currency, rating,
                                                 review_count, accessibility, tags, google_places_id, tripadvisor_id, getyourguide_id,
                                                 viator_id, image_urls, is_verified, external_data, external_data_cached_at, area_id)
                        VALUES (@CityId, @Name, @NameLocal, @AttractionType, @Categories, @Address, {Point}, @OpeningHours::jsonb,
                                @TypicalVisitMinutes, @Crowdedness, @PricingType, @PriceAdult, @PriceCurrency, @Rating,
                                @ReviewCount, @Accessibility::jsonb, @Tags, @GooglePlacesId, @TripadvisorId, @GetyourguideId,
                                @ViatorId, @ImageUrls, @IsVerified, @ExternalData::jsonb,
                                CASE WHEN @ExternalData::jsonb IS NOT NULL THEN now() END, @AreaId)
                        ON CONFLICT DO NOTHING
                        RETURNING id
                        """, a);
                    if (id is null) continue; // another import inserted one of these ids meanwhile: look again
                }
                var row = await tx.QuerySingleAsync<AttractionRow>($"""
                    SELECT {PlaceReader.AttractionColumns}
                      FROM attractions a JOIN cities c ON c.id = a.city_id JOIN countries k ON k.id = c.country_id
                     WHERE a.id = @id
                    """, new { id, now });
                return matches.Count == 1 ? new PlaceUpsert<AttractionRow>.Updated(row) : new PlaceUpsert<AttractionRow>.Created(row);
            }
            return new PlaceUpsert<AttractionRow>.Conflict("Another import of this attraction is running; retry.");
        }, ct);

    /// <summary>One link per thing and provider: a second import replaces it. What it links must exist.</summary>
    public async Task<PlaceUpsert<BookingLinkRow>> UpsertBookingLinkAsync(BookingLinkInput l, CancellationToken ct)
    {
        try
        {
            return await db.AnonymousAsync<PlaceUpsert<BookingLinkRow>>(async tx =>
            {
                var (row, created) = await tx.QuerySingleAsync<Upserted>("""
                    INSERT INTO booking_links AS l (linkable_type, attraction_id, trip_id, itinerary_item_id, provider, booking_url,
                                                    deeplink_url, price_from, price_currency, affiliate_code, cached_at, expires_at)
                    VALUES (@LinkableType,
                            CASE WHEN @LinkableType = 'attraction' THEN @LinkableId END,
                            CASE WHEN @LinkableType = 'trip' THEN @LinkableId END,
                            CASE WHEN @LinkableType = 'itinerary_item' THEN @LinkableId END,
                            @Provider, @BookingUrl, @DeeplinkUrl, @PriceFrom, @PriceCurrency, @AffiliateCode, now(), @ExpiresAt)
                    ON CONFLICT (linkable_type, linkable_id, provider) DO UPDATE
                       SET booking_url = excluded.booking_url, deeplink_url = excluded.deeplink_url, price_from = excluded.price_from,
                           price_currency = excluded.price_currency, affiliate_code = excluded.affiliate_code,
                           cached_at = excluded.cached_at, expires_at = excluded.expires_at
                    RETURNING l.id, (xmax = 0) AS created
                    """, l);
                var link = await tx.QuerySingleAsync<BookingLinkRow>("""
                    SELECT id, linkable_type, linkable_id, provider, booking_url, deeplink_url, price_from, price_currency,
                           affiliate_code, cached_at, expires_at
                      FROM booking_links WHERE id = @row
                    """, new { row });
                return created ? new PlaceUpsert<BookingLinkRow>.Created(link) : new PlaceUpsert<BookingLinkRow>.Updated(link);
            }, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // Nothing was written: the transaction rolled back with the failed INSERT.
            return new PlaceUpsert<BookingLinkRow>.MissingParent("linkableId", l.LinkableType switch
            {
                "trip" => "The trip",
                "itinerary_item" => "The itinerary item",
                _ => "The attraction",
            });
        }
    }

    private sealed record Upserted(Guid Id, bool Created);
}

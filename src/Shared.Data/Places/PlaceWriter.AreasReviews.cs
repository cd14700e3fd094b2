using Dapper;
using Npgsql;

namespace TravelFunctions.Data.Places;

public sealed partial class PlaceWriter
{
    /// <summary>
    /// By city and name, the name compared folded (0016): "le marais" updates "Le Marais" (taking the new spelling).
    /// A missing city is a foreign-key violation, which rolls the transaction back: nothing written.
    /// </summary>
    public async Task<PlaceUpsert<CityAreaRow>> UpsertCityAreaAsync(CityAreaInput a, CancellationToken ct)
    {
        try
        {
            return await db.AnonymousAsync<PlaceUpsert<CityAreaRow>>(async tx =>
            {
                var (id, created) = await tx.QuerySingleAsync<Upserted>($"""
                    INSERT INTO city_areas AS r (city_id, name, description, center, tags)
                    VALUES (@CityId, @Name, @Description, CASE WHEN @Lat::float8 IS NOT NULL THEN {Point} END, @Tags)
                    ON CONFLICT (city_id, app.fold(name)) DO UPDATE
                       SET name = excluded.name, description = excluded.description, center = excluded.center,
                           tags = excluded.tags, updated_at = now()
                    RETURNING r.id, (xmax = 0) AS created
                    """, a);
                var row = await tx.QuerySingleAsync<CityAreaRow>($"SELECT {PlaceReader.AreaColumns} FROM city_areas r WHERE r.id = @id", new { id });
                return created ? new PlaceUpsert<CityAreaRow>.Created(row) : new PlaceUpsert<CityAreaRow>.Updated(row);
            }, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return new PlaceUpsert<CityAreaRow>.MissingParent("cityId", "The city");
        }
    }

    /// <summary>
    /// By (source, external review id): a re-import refreshes the review and its cached_at (so the CacheExpiry job
    /// keeps it another TTL). A review id already cached for a different attraction is a conflict, not a move: the
    /// guarded DO UPDATE then returns nothing and nothing is written.
    /// </summary>
    public async Task<PlaceUpsert<ReviewRow>> UpsertReviewAsync(ReviewInput r, CancellationToken ct)
    {
        try
        {
            return await db.AnonymousAsync<PlaceUpsert<ReviewRow>>(async tx =>
            {
                var hit = await tx.QuerySingleOrDefaultAsync<Upserted>("""
                    INSERT INTO attraction_reviews AS v (attraction_id, source, external_review_id, author_name, rating, review_text,
                                                         language, review_date, cached_at)
                    VALUES (@AttractionId, @Source, @ExternalReviewId, @AuthorName, @Rating, @ReviewText, @Language, @ReviewDate, now())
                    ON CONFLICT (source, external_review_id) DO UPDATE
                       SET author_name = excluded.author_name, rating = excluded.rating, review_text = excluded.review_text,
                           language = excluded.language, review_date = excluded.review_date, cached_at = excluded.cached_at
                     WHERE v.attraction_id = excluded.attraction_id
                    RETURNING v.id, (xmax = 0) AS created
                    """, r);
                if (hit is null)
                    return new PlaceUpsert<ReviewRow>.Conflict(
                        $"Review '{r.ExternalReviewId}' from {r.Source} is already cached for another attraction.");
                var row = await tx.QuerySingleAsync<ReviewRow>($"SELECT {PlaceReader.ReviewColumns} FROM attraction_reviews v WHERE v.id = @id",
                    new { id = hit.Id });
                return hit.Created ? new PlaceUpsert<ReviewRow>.Created(row) : new PlaceUpsert<ReviewRow>.Updated(row);
            }, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return new PlaceUpsert<ReviewRow>.MissingParent("attractionId", "The attraction");
        }
    }
}

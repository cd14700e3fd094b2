using Npgsql;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// The catalog's units of the CacheExpiry job (tables of 0013), kept apart from the search-cache units: expired
/// booking links and reviews cached longer than <see cref="ReviewTtl"/> are deleted; attractions keep their row but
/// lose provider data cached longer than <see cref="ExternalDataTtl"/> (an agent re-fetches it). Same batching,
/// locking and budget as the other units (BatchedDelete); every condition is re-checked in the statement, so a
/// run killed anywhere loses nothing and a re-run finishes the work.
/// </summary>
internal static class CatalogCacheExpiry
{
    public const int BatchSize = 1000;
    public static readonly TimeSpan ReviewTtl = TimeSpan.FromDays(30);
    public static readonly TimeSpan ExternalDataTtl = TimeSpan.FromDays(7);

    public static async Task AddUnitsAsync(JobContext ctx, NpgsqlDataSource source, List<UnitResult> results)
    {
        var now = ctx.Clock.GetUtcNow();
        results.Add(await Unit(ctx, source, "booking_links", now, """
            DELETE FROM public.booking_links
             WHERE id = ANY (ARRAY(SELECT id FROM public.booking_links WHERE expires_at < @cutoff
                                    ORDER BY expires_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND expires_at < @cutoff
            """, "SELECT count(*) FROM public.booking_links WHERE expires_at < @cutoff"));
        results.Add(await Unit(ctx, source, "attraction_reviews", now - ReviewTtl, """
            DELETE FROM public.attraction_reviews
             WHERE id = ANY (ARRAY(SELECT id FROM public.attraction_reviews WHERE cached_at < @cutoff
                                    ORDER BY cached_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND cached_at < @cutoff
            """, "SELECT count(*) FROM public.attraction_reviews WHERE cached_at < @cutoff"));
        results.Add(await Unit(ctx, source, "attractions.external_data", now - ExternalDataTtl, """
            UPDATE public.attractions SET external_data = NULL, external_data_cached_at = NULL
             WHERE id = ANY (ARRAY(SELECT id FROM public.attractions WHERE external_data_cached_at < @cutoff
                                    ORDER BY external_data_cached_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND external_data_cached_at < @cutoff
            """, "SELECT count(*) FROM public.attractions WHERE external_data_cached_at < @cutoff"));
    }

    private static Task<UnitResult> Unit(JobContext ctx, NpgsqlDataSource source, string unit, DateTimeOffset cutoff, string work, string count) =>
        JobUnit.RunAsync(ctx, unit, ct => BatchedDelete.RunAsync(ctx, source, unit, count, work, batch => new { cutoff, batch }, BatchSize, ct));
}

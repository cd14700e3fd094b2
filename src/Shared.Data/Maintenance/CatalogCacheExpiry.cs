using Npgsql;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// The catalog's units of the CacheExpiry job (tables of 0013), kept apart from the search-cache units: expired
/// booking links and reviews cached longer than attraction_reviews' retention are deleted; attractions keep their row
/// but lose provider data cached longer than attractions' retention (an agent re-fetches it). The periods are per
/// table in maintenance.table_settings (<see cref="RowRetention"/>, read each run), the batch size and pace settings
/// (<see cref="MaintenanceOptions"/>). Same batching,
/// locking and budget as the other units (BatchedDelete); every condition is re-checked in the statement, so a
/// run killed anywhere loses nothing and a re-run finishes the work.
/// </summary>
internal static class CatalogCacheExpiry
{
    public static async Task AddUnitsAsync(JobContext ctx, NpgsqlDataSource source, MaintenanceOptions options, List<UnitResult> results)
    {
        var now = ctx.Clock.GetUtcNow();
        var retention = new RowRetention.PerRun(source, ctx.CancellationToken);
        results.Add(await Unit(ctx, source, options, "booking_links", () => Task.FromResult<DateTimeOffset?>(now), """
            DELETE FROM public.booking_links
             WHERE id = ANY (ARRAY(SELECT id FROM public.booking_links WHERE expires_at < @cutoff
                                    ORDER BY expires_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND expires_at < @cutoff
            """, "SELECT count(*) FROM public.booking_links WHERE expires_at < @cutoff"));
        results.Add(await Unit(ctx, source, options, "attraction_reviews", () => retention.CutoffAsync("attraction_reviews", now), """
            DELETE FROM public.attraction_reviews
             WHERE id = ANY (ARRAY(SELECT id FROM public.attraction_reviews WHERE cached_at < @cutoff
                                    ORDER BY cached_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND cached_at < @cutoff
            """, "SELECT count(*) FROM public.attraction_reviews WHERE cached_at < @cutoff"));
        results.Add(await Unit(ctx, source, options, "attractions.external_data", () => retention.CutoffAsync("attractions", now), """
            UPDATE public.attractions SET external_data = NULL, external_data_cached_at = NULL
             WHERE id = ANY (ARRAY(SELECT id FROM public.attractions WHERE external_data_cached_at < @cutoff
                                    ORDER BY external_data_cached_at LIMIT @batch FOR UPDATE SKIP LOCKED))
               AND external_data_cached_at < @cutoff
            """, "SELECT count(*) FROM public.attractions WHERE external_data_cached_at < @cutoff"));
    }

    /// <param name="cutoffOf">The run's cutoff for the unit; null when its table's retention is switched off.</param>
    private static Task<UnitResult> Unit(JobContext ctx, NpgsqlDataSource source, MaintenanceOptions options, string unit,
        Func<Task<DateTimeOffset?>> cutoffOf, string work, string count) =>
        JobUnit.RunAsync(ctx, unit, async ct =>
        {
            if (await cutoffOf() is not { } cutoff) return new UnitResult(unit, UnitOutcome.NothingToDo, RowRetention.DisabledDetail);
            return await BatchedDelete.RunAsync(ctx, source, unit, count, work, batch => new { cutoff, batch },
                options.CacheExpiryBatchSize, options.RestPerWork, ct);
        });
}

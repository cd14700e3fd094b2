using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Folds pending search-cache hits into the caches (maintenance.fold_search_cache_hits, 0004), then
/// deletes expired rows of each search cache in batches of <see cref="BatchSize"/>, each its own short
/// transaction; FOR UPDATE SKIP LOCKED so an API upsert of the same key is never waited on.
/// Runs as travel_maintenance through the pooler. The catalog's units are in <see cref="CatalogCacheExpiry"/>.
/// </summary>
public sealed class CacheExpiryJob(TravelDataSources sources) : IMaintenanceJob
{
    public const int BatchSize = 1000;
    public const int FoldBatchSize = 10000;
    public static readonly string[] Caches = ["flight_search_cache", "hotel_search_cache"];

    public string Name => "CacheExpiry";
    public string DefaultSchedule => "0 */10 * * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var results = new List<UnitResult> { await JobUnit.RunAsync(ctx, "search_cache_hits", ct => FoldHitsAsync(ctx, ct)) };
        foreach (var table in Caches)
            results.Add(await JobUnit.RunAsync(ctx, table, ct => ExpireAsync(ctx, table, ct)));
        await CatalogCacheExpiry.AddUnitsAsync(ctx, sources.Pooled, results); // booking links, reviews, attractions' provider data
        return results;
    }

    private Task<UnitResult> ExpireAsync(JobContext ctx, string table, CancellationToken ct)
    {
        // table is one of the two constants above, never input.
        var count = $"SELECT count(*) FROM public.{table} WHERE expires_at < @now";
        var delete = $"""
            DELETE FROM public.{table}
             WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.{table}
                                      WHERE expires_at < @now
                                      ORDER BY expires_at
                                      LIMIT @batch
                                      FOR UPDATE SKIP LOCKED))
               AND expires_at < @now
            """;
        var now = ctx.Clock.GetUtcNow();
        return BatchedDelete.RunAsync(ctx, sources.Pooled, table, count, delete, batch => new { now, batch }, BatchSize, ct);
    }

    private async Task<UnitResult> FoldHitsAsync(JobContext ctx, CancellationToken ct)
    {
        const string unit = "search_cache_hits";
        if (ctx.DryRun)
        {
            await using var conn = await sources.Pooled.OpenConnectionAsync(ct);
            var pending = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM public.search_cache_hits", cancellationToken: ct));
            return new(unit, pending == 0 ? UnitOutcome.NothingToDo : UnitOutcome.Done, $"dry run: would fold {pending} hits");
        }
        long folded = 0;
        var key = JobLocks.Key(ctx.JobName, unit);
        while (true)
        {
            var (locked, n) = await JobUnit.LockedTransactionAsync(sources.Pooled, key,
                (conn, tx) => conn.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT maintenance.fold_search_cache_hits(@max)", new { max = FoldBatchSize }, tx, cancellationToken: ct)), ct);
            if (!locked)
                return folded == 0
                    ? new(unit, UnitOutcome.Contended, "another run holds this unit's lock")
                    : new(unit, UnitOutcome.Done, $"folded {folded} hits; another run took over", Rows(folded));
            folded += n;
            if (n < FoldBatchSize)
                return folded == 0 ? new(unit, UnitOutcome.NothingToDo, "no pending hits", Rows(0))
                                   : new(unit, UnitOutcome.Done, $"folded {folded} hits", Rows(folded));
            if (ctx.OutOfTime || ct.IsCancellationRequested)
                return new(unit, UnitOutcome.Deferred, $"folded {folded} hits; stopped at the time budget", Rows(folded));
        }
    }

    private static Dictionary<string, object?> Rows(long n) => new() { ["rows"] = n };
}

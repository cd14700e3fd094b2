using Dapper;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Folds pending search-cache hits into the caches (maintenance.fold_search_cache_hits, 0004; travel_maintenance
/// through the pooler), then, per cache, keeps its expiry buckets: creates them max TTL ahead and detaches
/// (CONCURRENTLY) and drops every bucket whose upper bound has passed (0009; <see cref="ExpiryPartitions"/>,
/// the owner on the direct connection). Dropping a bucket costs the same whatever it holds.
/// The catalog's units (booking links, cached reviews, attractions' provider data) are in <see cref="CatalogCacheExpiry"/>.
/// Batch sizes: Maintenance__CacheFoldBatchSize, Maintenance__CacheExpiryBatchSize (<see cref="MaintenanceOptions"/>).
/// </summary>
public sealed class CacheExpiryJob(TravelDataSources sources, IOptions<MaintenanceOptions> settings) : IMaintenanceJob
{
    // Read at each run, not here: listing the jobs (the catalog, `run`'s job list, --help) must not need valid settings.
    private MaintenanceOptions Options => settings.Value;
    public static readonly string[] Caches = ["flight_search_cache", "hotel_search_cache"];

    public string Name => "CacheExpiry";
    public string DefaultSchedule => "0 */10 * * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var results = new List<UnitResult> { await JobUnit.RunAsync(ctx, "search_cache_hits", ct => FoldHitsAsync(ctx, ct)) };
        var partitions = new ExpiryPartitions(sources.Direct);
        foreach (var table in Caches)
            results.Add(await JobUnit.RunAsync(ctx, table, ct => partitions.RunAsync(ctx, table, ct)));
        await CatalogCacheExpiry.AddUnitsAsync(ctx, sources.Pooled, Options, results); // booking links, reviews, attractions' provider data
        return results;
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
                    "SELECT maintenance.fold_search_cache_hits(@max)", new { max = Options.CacheFoldBatchSize }, tx, cancellationToken: ct)), ct);
            if (!locked)
                return folded == 0
                    ? new(unit, UnitOutcome.Contended, "another run holds this unit's lock")
                    : new(unit, UnitOutcome.Done, $"folded {folded} hits; another run took over", Rows(folded));
            folded += n;
            if (n < Options.CacheFoldBatchSize)
                return folded == 0 ? new(unit, UnitOutcome.NothingToDo, "no pending hits", Rows(0))
                                   : new(unit, UnitOutcome.Done, $"folded {folded} hits", Rows(folded));
            if (ctx.OutOfTime || ct.IsCancellationRequested)
                return new(unit, UnitOutcome.Deferred, $"folded {folded} hits; stopped at the time budget", Rows(folded));
        }
    }

    private static Dictionary<string, object?> Rows(long n) => new() { ["rows"] = n };
}

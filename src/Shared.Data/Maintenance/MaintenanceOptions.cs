using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.Maintenance;

/// <summary>
/// Settings Maintenance__… : how hard the row-level jobs push (batch sizes, the purges' pace) and when AnalyzeTables
/// finds a table due. Defaults are the values that were constants before they were settings. Retention periods are
/// per table and live in maintenance.table_settings (<see cref="RowRetention"/>), changeable without a deploy.
/// Checked by <see cref="MaintenanceOptionsValidator"/>; the function app checks them at start.
/// </summary>
public sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    /// <summary>RetentionPurge: rows per DELETE of refresh sessions, idempotency keys and ledger rows.</summary>
    public int PurgeBatchSize { get; set; } = 1000;

    /// <summary>RetentionPurge: users per DELETE (each cascades into many rows: small batches keep transactions short).</summary>
    public int PurgeUserBatchSize { get; set; } = 100;

    /// <summary>
    /// The batched deletes' pace (RetentionPurge and CacheExpiry's catalog units): after each batch, rest this
    /// percentage of the time the batch took. 200: the purge takes at most about a third of the database's time.
    /// </summary>
    public int PurgeRestPercent { get; set; } = 200;

    /// <summary>CacheExpiry: pending search-cache hits folded per transaction.</summary>
    public int CacheFoldBatchSize { get; set; } = 10000;

    /// <summary>CacheExpiry: rows per statement of the catalog's units (booking links, reviews, attractions' provider data).</summary>
    public int CacheExpiryBatchSize { get; set; } = 1000;

    /// <summary>AnalyzeTables: a plain table is due after max(this, AnalyzeModifiedPercent % of its live rows) modifications.</summary>
    public int AnalyzeMinModifications { get; set; } = 1000;

    /// <summary>AnalyzeTables: the share of live rows (percent) in the threshold above.</summary>
    public int AnalyzeModifiedPercent { get; set; } = 10;

    public double RestPerWork => PurgeRestPercent / 100.0;

    /// <summary>The modifications since the last ANALYZE at which a plain table of <paramref name="liveRows"/> is due.</summary>
    public long AnalyzeThreshold(long liveRows) => Math.Max(AnalyzeMinModifications, liveRows * AnalyzeModifiedPercent / 100);

    /// <summary>Setting name, value and allowed range of each, for the validator and `Functions.Timers policy`.</summary>
    public IReadOnlyList<(string Setting, int Value, int Min, int Max, string Meaning)> Describe() =>
    [
        (Key(nameof(PurgeBatchSize)), PurgeBatchSize, 1, 100_000, "RetentionPurge: rows per DELETE (sessions, idempotency keys, ledger)"),
        (Key(nameof(PurgeUserBatchSize)), PurgeUserBatchSize, 1, 10_000, "RetentionPurge: users per DELETE (each cascades)"),
        (Key(nameof(PurgeRestPercent)), PurgeRestPercent, 0, 1_000, "batched deletes rest this % of each batch's time (pace)"),
        (Key(nameof(CacheFoldBatchSize)), CacheFoldBatchSize, 1, 1_000_000, "CacheExpiry: search-cache hits folded per transaction"),
        (Key(nameof(CacheExpiryBatchSize)), CacheExpiryBatchSize, 1, 100_000, "CacheExpiry: catalog rows per statement"),
        (Key(nameof(AnalyzeMinModifications)), AnalyzeMinModifications, 1, 1_000_000_000, "AnalyzeTables: least modifications before a plain table is due"),
        (Key(nameof(AnalyzeModifiedPercent)), AnalyzeModifiedPercent, 0, 100, "AnalyzeTables: or this % of its live rows, whichever is more"),
    ];

    /// <summary>The app-setting spelling (Azure, environment variables).</summary>
    public static string Key(string property) => Section + "__" + property;
}

/// <summary>Plain code rather than data annotations (no reflection pass at cold start); one line per bad setting, named.</summary>
public sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, MaintenanceOptions options)
    {
        var failures = options.Describe()
            .Where(s => s.Value < s.Min || s.Value > s.Max)
            .Select(s => $"Setting {s.Setting} = {s.Value} must be a whole number from {s.Min} to {s.Max} ({s.Meaning}).")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

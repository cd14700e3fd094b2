using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Partitions;

/// <summary>
/// The PartitionMaintenance timer: for every monthly-partitioned table (a) keep the current month and
/// premake_months ahead created, (b) report rows in the DEFAULT partition loudly (never moved or deleted),
/// (c) move partitions past the table's hot retention out: archive → verify → manifest → detach → drop
/// ('archive' tables) or detach → drop ('drop' tables). One unit per step and table (per partition for (c)),
/// so one failure never skips the rest. Single runner through <see cref="MaintenanceLock"/>: an overlapping
/// invocation reports every table as contended and changes nothing.
/// </summary>
public sealed class PartitionMaintenanceJob : IMaintenanceJob
{
    public const string JobName = "PartitionMaintenance";

    // Lazy: listing the jobs (the catalog, `run`'s job list and --help) must not need connection or storage settings.
    private readonly Lazy<NpgsqlDataSource> _direct;
    private readonly Lazy<PartitionArchiver> _archiver;
    private readonly Lazy<ShortDdl> _ddl;
    // ATTACH of a new month takes SHARE UPDATE EXCLUSIVE on the parent (inserts go on), but ACCESS EXCLUSIVE on the
    // DEFAULT partition and, to clone the foreign key, SHARE ROW EXCLUSIVE on the referenced table (users,
    // conversations: their writers queue behind a waiting request). So each try waits at most 100 ms, more tries.
    private readonly Lazy<ShortDdl> _premakeDdl;
    private readonly ILogger _logger;

    public PartitionMaintenanceJob(TravelDataSources sources, Lazy<PartitionArchiver> archiver, ILogger<PartitionMaintenanceJob> logger)
        : this(new Lazy<NpgsqlDataSource>(() => sources.Direct), archiver, logger)
    {
    }

    public PartitionMaintenanceJob(NpgsqlDataSource direct, PartitionArchiver archiver, ILogger logger)
        : this(new Lazy<NpgsqlDataSource>(direct), new Lazy<PartitionArchiver>(archiver), logger)
    {
    }

    private PartitionMaintenanceJob(Lazy<NpgsqlDataSource> direct, Lazy<PartitionArchiver> archiver, ILogger logger)
    {
        DapperSetup.Configure();
        _direct = direct;
        _archiver = archiver;
        _ddl = new Lazy<ShortDdl>(() => new ShortDdl(direct.Value));
        _premakeDdl = new Lazy<ShortDdl>(() => new ShortDdl(direct.Value, TimeSpan.FromMilliseconds(100), maxRetries: 12));
        _logger = logger;
    }

    public string Name => JobName;

    public string DefaultSchedule => "0 15 2 * * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var ct = ctx.CancellationToken;
        await using var lockConn = await _direct.Value.OpenConnectionAsync(ct);
        var tables = await PartitionCatalog.ListTablesAsync(lockConn, ct);
        if (!await MaintenanceLock.TryAcquireAsync(lockConn, ct))
        {
            _logger.LogInformation("PartitionMaintenance: another run holds the lock; nothing done");
            return tables.Select(t => new UnitResult(t.Name, UnitOutcome.Contended, "another PartitionMaintenance run holds the lock")).ToList();
        }
        try
        {
            var results = new List<UnitResult>();
            foreach (var table in tables)
            {
                if (ctx.OutOfTime)
                {
                    results.Add(new UnitResult(table.Name, UnitOutcome.Deferred, "out of time before this table; the next run does it"));
                    continue;
                }
                results.Add(await Guard($"{table.Name}:premake", () => PremakeAsync(table, ctx)));
                results.Add(await Guard($"{table.Name}:default", () => CheckDefaultAsync(table, ctx)));
                try
                {
                    results.AddRange(await RetentionAsync(table, ctx));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    _logger.LogError(ex, "PartitionMaintenance: retention of {Table} failed", table.Name);
                    results.Add(new UnitResult($"{table.Name}:retention", UnitOutcome.Failed, ex.Message));
                }
            }
            return results;
        }
        finally
        {
            await MaintenanceLock.ReleaseAsync(lockConn);
        }
    }

    private async Task<UnitResult> Guard(string unit, Func<Task<UnitResult>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "PartitionMaintenance: {Unit} failed", unit);
            return new UnitResult(unit, UnitOutcome.Failed, ex.Message);
        }
    }

    /// <summary>(a) The current month and premake_months ahead, each month its own short DDL transaction.</summary>
    private async Task<UnitResult> PremakeAsync(PartitionedTable table, JobContext ctx)
    {
        var unit = $"{table.Name}:premake";
        var ct = ctx.CancellationToken;
        IReadOnlyList<PartitionInfo> existing;
        await using (var conn = await _direct.Value.OpenConnectionAsync(ct))
            existing = await PartitionCatalog.ListPartitionsAsync(conn, table, ct);

        var first = PartitionCatalog.MonthStart(ctx.Clock.GetUtcNow());
        var created = new List<string>();
        var problems = new List<string>();
        for (var i = 0; i <= table.PremakeMonths; i++)
        {
            var month = first.AddMonths(i);
            if (existing.Any(p => p.From == month && p.To == month.AddMonths(1))) continue;
            var name = $"{table.Name}_p{month:yyyyMM}";
            if (ctx.DryRun) { created.Add(name); continue; }
            if (ctx.OutOfTime) return new UnitResult(unit, UnitOutcome.Deferred, $"out of time; created {Join(created)}");
            try
            {
                var n = await _premakeDdl.Value.RunAsync((c, tx, token) => c.ExecuteScalarAsync<int>(new CommandDefinition(
                    "SELECT maintenance.ensure_monthly_partitions(@parent::regclass, @month, 1)",
                    new { parent = table.QualifiedName, month = DateOnly.FromDateTime(month.UtcDateTime) }, tx, cancellationToken: token)), ct);
                if (n > 0) created.Add(name);
            }
            catch (PostgresException ex)
            {
                // e.g. the DEFAULT partition already holds rows of that month: reported, never moved.
                _logger.LogError(ex, "PartitionMaintenance: cannot create {Partition}: {Message}", name, ex.MessageText);
                problems.Add($"{month:yyyy-MM}: {ex.MessageText}");
            }
        }
        var data = new Dictionary<string, object?> { ["created"] = created, ["months"] = table.PremakeMonths + 1 };
        if (problems.Count > 0)
            return new UnitResult(unit, UnitOutcome.Failed, $"created {Join(created)}; could not create: {string.Join("; ", problems)}", data);
        if (created.Count == 0)
            return new UnitResult(unit, UnitOutcome.NothingToDo, $"{first:yyyy-MM} and {table.PremakeMonths} months ahead exist", data);
        return new UnitResult(unit, UnitOutcome.Done, (ctx.DryRun ? "dry run: would create " : "created ") + Join(created), data);
    }

    /// <summary>(b) Rows in the DEFAULT partition: a failed unit and an error log, the rows left exactly where they are.</summary>
    private async Task<UnitResult> CheckDefaultAsync(PartitionedTable table, JobContext ctx)
    {
        var unit = $"{table.Name}:default";
        if (table.DefaultPartition is null) return new UnitResult(unit, UnitOutcome.NothingToDo, "no DEFAULT partition");
        await using var conn = await _direct.Value.OpenConnectionAsync(ctx.CancellationToken);
        var key = PartitionedTable.Quote(table.KeyColumn);
        var (count, oldest, newest) = await conn.QuerySingleAsync<(long, DateTime?, DateTime?)>(new CommandDefinition(
            $"SELECT count(*), min({key}), max({key}) FROM {PartitionedTable.Quote(table.Schema)}.{PartitionedTable.Quote(table.DefaultPartition)}",
            cancellationToken: ctx.CancellationToken));
        if (count == 0) return new UnitResult(unit, UnitOutcome.NothingToDo, $"{table.DefaultPartition} is empty");
        var detail = $"{count} row(s) in DEFAULT partition {table.DefaultPartition} ({table.KeyColumn} from {oldest:O} to {newest:O}); " +
                     "kept as they are (nothing moved or deleted): create the months they belong to and move them in one transaction";
        _logger.LogError("PartitionMaintenance: {Detail}", detail);
        return new UnitResult(unit, UnitOutcome.Failed, detail,
            new Dictionary<string, object?> { ["rows"] = count, ["oldest"] = oldest, ["newest"] = newest });
    }

    /// <summary>(c) Partitions wholly older than the hot retention, by their real bounds and newest row.</summary>
    private async Task<IReadOnlyList<UnitResult>> RetentionAsync(PartitionedTable table, JobContext ctx)
    {
        var unit = $"{table.Name}:retention";
        var ct = ctx.CancellationToken;
        if (!table.Enabled) return [new UnitResult(unit, UnitOutcome.NothingToDo, Maintenance.RowRetention.DisabledDetail)];
        if (table.HotMonths is not { } hot || table.RetentionAction is not { } action)
            return [new UnitResult(unit, UnitOutcome.NothingToDo, "no retention settings in maintenance.table_settings")];

        var cutoff = PartitionCatalog.MonthStart(ctx.Clock.GetUtcNow()).AddMonths(-hot);
        IReadOnlyList<PartitionInfo> attached;
        IReadOnlyList<ArchiveRecord> open;
        await using (var conn = await _direct.Value.OpenConnectionAsync(ct))
        {
            attached = await PartitionCatalog.ListPartitionsAsync(conn, table, ct);
            open = await ArchiveLedger.ListAsync(conn, table.Name, openOnly: true, ct);
        }

        var results = new List<UnitResult>();
        foreach (var p in attached.Where(p => p.To <= cutoff))
        {
            if (ctx.OutOfTime) { results.Add(new UnitResult(p.Name, UnitOutcome.Deferred, "out of time; the next run does it")); continue; }
            DateTime? newest;
            await using (var conn = await _direct.Value.OpenConnectionAsync(ct))
                newest = await conn.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
                    $"SELECT max({PartitionedTable.Quote(p.KeyColumn)}) FROM {p.QualifiedName}", cancellationToken: ct));
            if (newest is { } n && PartitionCatalog.Utc(n) >= cutoff)
            {
                var detail = $"{p.Name}: bounds [{p.From:O}, {p.To:O}) are past retention but its newest row is at {PartitionCatalog.Utc(n):O}; left as is";
                _logger.LogError("PartitionMaintenance: {Detail}", detail);
                results.Add(new UnitResult(p.Name, UnitOutcome.Failed, detail));
                continue;
            }
            results.Add(await Guard(p.Name, () => action == "drop"
                ? _archiver.Value.DropWithoutArchiveAsync(p, cutoff, ctx.DryRun, ct)
                : _archiver.Value.ArchiveAsync(p, attached: true, () => ctx.OutOfTime, ctx.DryRun, ct)));
        }

        // Archives a crash left between detach and drop: the partition is no longer attached, the ledger knows it.
        foreach (var r in open.Where(r => attached.All(p => p.Name != r.PartitionName)))
        {
            if (ctx.OutOfTime) { results.Add(new UnitResult(r.PartitionName, UnitOutcome.Deferred, "out of time; the next run does it")); continue; }
            var p = new PartitionInfo(table.Schema, table.Name, r.PartitionName, table.KeyColumn, r.RangeFrom, r.RangeTo);
            results.Add(await Guard(p.Name, () => _archiver.Value.ArchiveAsync(p, attached: false, () => ctx.OutOfTime, ctx.DryRun, ct)));
        }

        if (results.Count == 0)
            results.Add(new UnitResult(unit, UnitOutcome.NothingToDo, $"no partition ends before {cutoff:yyyy-MM-dd} (hot {hot} months, {action})"));
        return results;
    }

    private static string Join(List<string> names) => names.Count == 0 ? "nothing" : string.Join(", ", names);
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;

// usage: ArchiveCrashHost <partition> [--block-at <ArchiveStep> | --erasure-block-at <ErasureStep>]
// Settings from the environment: TravelDbDirect, ArchiveStorage, ArchiveContainer.
// Archives one attached partition (or resumes its archive from the ledger) with the real archiver. With --block-at
// it prints "BLOCKED <step>" after that step and waits forever, for the test to kill the process there.
// Prints "STEP <step> at=<seconds>" after each step, and as its last line "RESULT outcome=… rows=… seconds=… rows_per_s=… vmhwm_kb=…".
// With --erasure-block-at it rewrites the partition's archive without erased users' rows (ErasureRewriter) instead,
// and blocks after that step the same way.
if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] is not ("--block-at" or "--erasure-block-at")))
{
    Console.Error.WriteLine("usage: ArchiveCrashHost <partition> [--block-at <ArchiveStep> | --erasure-block-at <ErasureStep>]");
    return 2;
}
var partitionName = args[0];
ArchiveStep? blockAt = args.Length == 3 && args[1] == "--block-at" ? Enum.Parse<ArchiveStep>(args[2]) : null;

using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
await using var direct = NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(
    Environment.GetEnvironmentVariable("TravelDbDirect") ?? throw new InvalidOperationException("TravelDbDirect is not set")));
var store = BlobStoreFactory.Create(Environment.GetEnvironmentVariable("ArchiveStorage") ?? "",
    Environment.GetEnvironmentVariable("ArchiveContainer") ?? "", options: BlobStoreOptions.ForPartitionArchive());

if (args.Length == 3 && args[1] == "--erasure-block-at")
{
    var erasureBlockAt = Enum.Parse<ErasureStep>(args[2]);
    var rewriter = new ErasureRewriter(direct, store, logs.CreateLogger("erasure"), new ErasureStepHook(async (step, _, ct) =>
    {
        Console.WriteLine($"STEP {step}");
        if (step != erasureBlockAt) return;
        Console.WriteLine($"BLOCKED {step}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite, ct);
    }));
    var archive = (await rewriter.CandidatesAsync(default)).SingleOrDefault(a => a.PartitionName == partitionName);
    if (archive is null)
    {
        Console.Error.WriteLine($"{partitionName}: no archive of it holds rows of an erased user");
        return 1;
    }
    var rewritten = await rewriter.RewriteAsync(archive);
    Console.WriteLine($"RESULT outcome={rewritten.Outcome} detail={rewritten.Detail}");
    return rewritten.Outcome == UnitOutcome.Done ? 0 : 1;
}
var watch = new Stopwatch();
TimeSpan? exported = null;
var hook = new ArchiveStepHook(async (step, _, ct) =>
{
    if (step == ArchiveStep.Uploaded) exported ??= watch.Elapsed;  // export + compress + upload, before verify/detach/drop
    // Where the time goes: seconds since the start at the end of each step (bench/archive.sh prints them).
    Console.WriteLine($"STEP {step} at={watch.Elapsed.TotalSeconds:F3}");
    if (step != blockAt) return;
    Console.WriteLine($"BLOCKED {step}");
    Console.Out.Flush();
    await Task.Delay(Timeout.Infinite, ct);
});
var archiver = new PartitionArchiver(direct, store, logs.CreateLogger("archive"), hook);

PartitionInfo? partition = null;
var attached = false;
await using (var conn = await direct.OpenConnectionAsync())
{
    foreach (var table in await PartitionCatalog.ListTablesAsync(conn, default))
    {
        if (await PartitionCatalog.FindAttachedAsync(conn, table, partitionName, default) is { } p) { partition = p; attached = true; break; }
        if (await ArchiveLedger.GetAsync(conn, partitionName, default) is { } r && r.TableName == table.Name)
            partition = new PartitionInfo(table.Schema, table.Name, r.PartitionName, table.KeyColumn, r.RangeFrom, r.RangeTo);
    }
}
if (partition is null)
{
    Console.Error.WriteLine($"{partitionName}: not an attached partition and not in the archive ledger");
    return 1;
}

watch.Start();
var result = await archiver.ArchiveAsync(partition, attached);
watch.Stop();
var rows = result.Data is { } d && d.TryGetValue("rows", out var r0) ? Convert.ToInt64(r0) : 0;
var hwm = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
Console.WriteLine($"DETAIL {result.Detail}");
Console.WriteLine($"RESULT outcome={result.Outcome} rows={rows} seconds={watch.Elapsed.TotalSeconds:F2} " +
                  $"rows_per_s={(rows / Math.Max(watch.Elapsed.TotalSeconds, 1e-9)):F0} export_seconds={exported?.TotalSeconds ?? 0:F2} " +
                  $"export_rows_per_s={(rows / Math.Max(exported?.TotalSeconds ?? 0, 1e-9)):F0} vmhwm_kb={hwm}");
return result.Outcome == UnitOutcome.Done ? 0 : 1;

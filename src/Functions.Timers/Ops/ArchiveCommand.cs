using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// Ops verbs for the partition archive:
///   archive list [table]                                  the archive ledger (state, range, rows, blob)
///   archive restore &lt;partition&gt; (--attach | --into &lt;table&gt;) bring an archived partition back, verified
/// Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
/// Needs TravelDataSources (AddTravelData) and AddPartitionMaintenance in <paramref name="services"/>.
/// </summary>
public static class ArchiveCommand
{
    public const string Usage = """
        usage: archive list [table]
               archive restore <partition> --attach         restore and attach it as the partition again (original bounds)
               archive restore <partition> --into <table>   restore into a new side table
        """;

    public static Task<int> RunAsync(string[] args, IServiceProvider services) =>
        RunAsync(args, services, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length > 0 && args[0] == "archive") args = args[1..];  // accept the verb itself as the first argument
        try
        {
            switch (args)
            {
                case ["list"]:
                    return await ListAsync(services, null, output, ct);
                case ["list", var table]:
                    return await ListAsync(services, table, output, ct);
                case ["restore", var partition, "--attach"]:
                    return await RestoreAsync(services, partition, attach: true, into: null, output, error, ct);
                case ["restore", var partition, "--into", var into]:
                    return await RestoreAsync(services, partition, attach: false, into, output, error, ct);
                default:
                    await error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (ArchiveRestoreException ex)
        {
            await error.WriteLineAsync("archive: " + ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"archive: failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> ListAsync(IServiceProvider services, string? table, TextWriter output, CancellationToken ct)
    {
        var sources = services.GetRequiredService<TravelDataSources>();
        var store = services.GetRequiredService<IBlobStore>();
        await using var conn = await sources.Direct.OpenConnectionAsync(ct);
        var rows = await ArchiveLedger.ListAsync(conn, table, openOnly: false, ct);
        await output.WriteLineAsync($"container: {store.ContainerName}");
        if (rows.Count == 0)
        {
            await output.WriteLineAsync(table is null ? "no archived partitions" : $"no archived partitions of {table}");
            return 0;
        }
        await output.WriteLineAsync($"{"partition",-32} {"state",-10} {"range (UTC)",-23} {"rows",12} {"bytes",12}  blob");
        foreach (var r in rows)
        {
            await output.WriteLineAsync(
                $"{r.PartitionName,-32} {r.State,-10} {r.RangeFrom:yyyy-MM-dd}..{r.RangeTo:yyyy-MM-dd} {r.RowCount?.ToString() ?? "-",12} " +
                $"{r.CompressedBytes?.ToString() ?? "-",12}  {r.BlobName ?? "-"}" +
                (r.LastError is { Length: > 0 } e && r.State != ArchiveState.Dropped ? $"  last error: {e}" : ""));
        }
        return 0;
    }

    private static async Task<int> RestoreAsync(IServiceProvider services, string partition, bool attach, string? into,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var restorer = services.GetRequiredService<ArchiveRestorer>();
        var result = await restorer.RestoreAsync(partition, attach, into, ct);
        await output.WriteLineAsync(
            $"restored {result.Partition} into {result.Target}: {result.Rows} rows, SHA-256 {result.Sha256} verified against " +
            $"{result.Manifest.Blob}; {(result.Attached ? $"attached to {result.Manifest.Table} for [{result.Manifest.RangeFrom:O}, {result.Manifest.RangeTo:O})" : "side table (not attached)")}");
        if (result.Note is not null) await error.WriteLineAsync("note: " + result.Note);
        return 0;
    }
}

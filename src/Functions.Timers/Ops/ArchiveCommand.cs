using System.CommandLine;
using System.CommandLine.Invocation;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// Ops verbs for the partition archive:
///   archive list [table]                                   the archive ledger (state, range, rows, blob)
///   archive restore &lt;partition&gt; (--attach | --into &lt;table&gt;)  bring an archived partition back, verified
/// Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
/// Needs TravelDataSources, IBlobStore and ArchiveRestorer from <c>services</c> (AddTimerJobs, or AddTravelData with
/// AddPartitionMaintenance).
/// </summary>
public static class ArchiveCommand
{
    public const string Name = "archive";

    public static Command Create(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var table = new Argument<string?>("table") { Description = "Only this table's partitions", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "List the archived partitions: state, range, rows, bytes, blob") { table };
        list.SetAction((parse, ct) => Guarded(error, () => ListAsync(services, parse.GetValue(table), output, ct)));

        var partition = new Argument<string>("partition") { Description = "The partition's name, e.g. external_api_logs_p201108" };
        var attach = new Option<bool>("--attach") { Description = "Restore it and attach it as the partition again (original bounds)" };
        var into = new Option<string?>("--into") { Description = "Restore it into this new side table instead", HelpName = "table" };
        var restore = new Command("restore", "Bring an archived partition back and prove its rows are the archived ones") { partition, attach, into };
        restore.Validators.Add(result =>
        {
            // Whether each was given, not its value: a --into without its table is already a parse error of its own.
            if ((result.GetResult(attach) is { Implicit: false }) == (result.GetResult(into) is { Implicit: false }))
                result.AddError("Give exactly one of --attach or --into <table>.");
        });
        restore.SetAction((parse, ct) => Guarded(error, () =>
            RestoreAsync(services, parse.GetValue(partition)!, parse.GetValue(attach), parse.GetValue(into), output, error, ct)));

        return new Command(Name, "List archived partitions or restore one") { list, restore };
    }

    /// <summary>
    /// The archive verbs alone (with or without the leading "archive") over services the caller built and configured:
    /// their settings are not checked beforehand (a missing one fails the verb, exit 1).
    /// </summary>
    public static Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length == 0 || args[0] != Name) args = [Name, .. args];
        var root = new RootCommand { Create(services, output, error) };
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return OpsCommandLine.InvokeAsync(root.Parse(args), invocation, services, error, checkSettings: false, ct);
    }

    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (ArchiveRestoreException ex)
        {
            await error.WriteLineAsync("archive: " + ex.Message);
            return OpsCommandLine.Failed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"archive: failed: {ex.GetType().Name}: {ex.Message}");
            return OpsCommandLine.Failed;
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
            $"restored {result.Partition} into {result.Target}: {result.Rows} rows" +
            (result.ErasedRows > 0 ? $" ({result.ErasedRows} rows of erased users left out)" : "") + $", SHA-256 {result.Sha256} verified against " +
            $"{result.Manifest.Blob}; {(result.Attached ? $"attached to {result.Manifest.Table} for [{result.Manifest.RangeFrom:O}, {result.Manifest.RangeTo:O})" : "side table (not attached)")}");
        if (result.Note is not null) await error.WriteLineAsync("note: " + result.Note);
        return 0;
    }
}

using System.CommandLine;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Data.Partitions;
using TravelFunctions.Timers.Settings;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// The settings each verb needs, checked before it runs so that a missing or unusable one is a usage error naming
/// the setting, not a failure half-way: `migrate` the direct endpoint; `run` both endpoints, the time budget and the
/// Maintenance__… settings (and the archive for PartitionMaintenance and ErasureRewrite); `archive` the direct endpoint and the archive;
/// `policy` the pooled endpoint and the settings it shows.
/// </summary>
internal static class VerbSettings
{
    public static IReadOnlyList<string> Problems(ParseResult parse, IServiceProvider services)
    {
        var verb = parse.CommandResult;
        while (verb.Parent is System.CommandLine.Parsing.CommandResult parent && parent.Command is not RootCommand) verb = parent;
        return verb.Command.Name switch
        {
            MigrateCommand.Name => Check(services, pooled: false, direct: true, archive: false, runner: false),
            RunJobCommand.Name => Check(services, pooled: true, direct: true, runner: true,
                archive: parse.GetValue<string>(RunJobCommand.JobArgument) is { } job &&
                         (string.Equals(job, PartitionMaintenanceJob.JobName, StringComparison.OrdinalIgnoreCase) ||
                          string.Equals(job, ErasureRewriteJob.JobName, StringComparison.OrdinalIgnoreCase))),
            ArchiveCommand.Name => Check(services, pooled: false, direct: true, archive: true, runner: false),
            PolicyCommand.Name => Check(services, pooled: true, direct: false, archive: false, runner: true),
            _ => [],
        };
    }

    private static List<string> Check(IServiceProvider services, bool pooled, bool direct, bool archive, bool runner)
    {
        var problems = new List<string>();
        var pooledDb = services.GetRequiredService<IOptions<PooledDatabaseOptions>>().Value;
        var directDb = services.GetRequiredService<IOptions<DirectDatabaseOptions>>().Value;
        if (pooled && string.IsNullOrWhiteSpace(pooledDb.TravelDb)) problems.Add(PooledDatabaseOptions.Missing);
        if (direct && string.IsNullOrWhiteSpace(directDb.TravelDbDirect)) problems.Add(DirectDatabaseOptions.Missing);
        var validator = new DatabaseOptionsValidator();
        if (validator.Validate(null, pooledDb) is { Failed: true } badPooled) problems.AddRange(badPooled.Failures!);
        if (validator.Validate(null, directDb) is { Failed: true } badDirect) problems.AddRange(badDirect.Failures!);
        if (archive) Read(() => _ = services.GetRequiredService<IOptions<ArchiveOptions>>().Value, problems);
        if (runner)
        {
            Read(() => _ = services.GetRequiredService<IOptions<JobRunnerOptions>>().Value, problems);
            Read(() => _ = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value, problems);
        }
        return problems;
    }

    private static void Read(Action read, List<string> problems)
    {
        try
        {
            read();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            // The configuration binder's "Failed to convert configuration value at 'JobTimeBudgetSeconds' …".
            problems.Add(ex.Message);
        }
    }
}

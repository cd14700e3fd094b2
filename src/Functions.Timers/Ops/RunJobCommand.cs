using System.CommandLine;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Jobs;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers run &lt;job&gt; [--dry-run]`: runs one job now through the same JobRunner as its timer function
/// (ledger row, per-unit outcomes, time budget, locks) and prints the per-unit summary, then the summary JSON.
/// Exit 0 unless the run failed (1). --dry-run reports what each unit would do and writes nothing, not even a
/// ledger row.
/// </summary>
public static class RunJobCommand
{
    public const string Name = "run";
    public const string JobArgument = "job";

    public static Command Create(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var catalog = services.GetRequiredService<JobCatalog>();
        var job = new Argument<string>(JobArgument) { Description = "The job (its function name): " + string.Join(", ", catalog.Names) };
        job.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, catalog.Names.ToArray());
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what each unit would do; write nothing" };

        var command = new Command(Name, "Run one maintenance job now and print its summary") { job, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            var runner = services.GetRequiredService<JobRunner>();
            var result = await runner.RunAsync(catalog.Get(parse.GetValue(job)!), "cli-" + Guid.NewGuid().ToString("N"), parse.GetValue(dryRun), ct);
            foreach (var line in result.Lines()) await (result.Succeeded ? output : error).WriteLineAsync(line);
            await output.WriteLineAsync(result.SummaryJson);
            return result.Succeeded ? 0 : OpsCommandLine.Failed;
        });
        return command;
    }
}

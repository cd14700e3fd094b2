using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Jobs;

/// <summary>
/// Runs one <see cref="IMaintenanceJob"/> with a ledger row in maintenance.job_runs: inserted as
/// 'running' at the start, finished with the combined outcome, the per-unit summary and the error.
/// The job gets a deadline (JobTimeBudgetSeconds) and a token cancelled by the caller or a little after
/// the deadline. Nothing a job throws escapes: the run is recorded as failed instead.
/// The ledger is written on the pooled endpoint (travel_maintenance, grants in 0006). A dry run writes
/// no ledger row (it writes nothing at all).
/// </summary>
public sealed class JobRunner(TravelDataSources sources, IOptions<JobRunnerOptions> settings, TimeProvider clock, ILoggerFactory logs)
{
    private readonly JobRunnerOptions _options = settings.Value;

    public TimeProvider Clock => clock;

    public async Task<JobRunResult> RunAsync(IMaintenanceJob job, string invocationId, bool dryRun, CancellationToken ct)
    {
        var log = logs.CreateLogger("TravelFunctions.Jobs." + job.Name);
        var watch = Stopwatch.StartNew();
        var deadline = clock.GetUtcNow() + _options.TimeBudget;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(_options.TimeBudget + _options.HardStopGrace);

        long? runId = null;
        if (!dryRun)
        {
            try
            {
                runId = await StartLedgerAsync(job.Name, invocationId, stop.Token);
            }
            catch (Exception ex)
            {
                // Without a ledger row the run cannot be accounted for: do not start the work.
                log.LogError(ex, "{Job}: could not write the job_runs row; not running", job.Name);
                var startError = "could not start the ledger row: " + JobUnit.Describe(ex);
                return new(job.Name, invocationId, null, JobOutcome.Failed, [], startError, watch.Elapsed, dryRun, Summary([], dryRun, watch.Elapsed));
            }
        }

        IReadOnlyList<UnitResult> units;
        string? jobError = null;
        var context = new JobContext(job.Name, invocationId, deadline, dryRun, clock, log, stop.Token);
        try
        {
            units = await job.RunAsync(context);
        }
        catch (Exception ex)
        {
            // Jobs catch per unit (JobUnit.RunAsync); this is a bug or a failure outside any unit.
            log.LogError(ex, "{Job}: the job threw outside its units", job.Name);
            units = [new UnitResult("(job)", stop.IsCancellationRequested && ex is OperationCanceledException ? UnitOutcome.Deferred : UnitOutcome.Failed, JobUnit.Describe(ex))];
            jobError = JobUnit.Describe(ex);
        }

        var outcome = JobOutcomeText.Combine(units);
        var error = jobError ?? Errors(units);
        if (ct.IsCancellationRequested) error = (error is null ? "" : error + "; ") + "cancelled by the caller";
        var summary = Summary(units, dryRun, watch.Elapsed);
        if (runId is { } id)
        {
            try
            {
                await FinishLedgerAsync(id, outcome, summary, error);
            }
            catch (Exception ex)
            {
                log.LogError(ex, "{Job}: could not finish job_runs row {RunId}", job.Name, id);
                outcome = JobOutcome.Failed;
                error = (error is null ? "" : error + "; ") + "could not finish the ledger row: " + JobUnit.Describe(ex);
            }
        }

        var result = new JobRunResult(job.Name, invocationId, runId, outcome, units, error, watch.Elapsed, dryRun, summary);
        if (outcome == JobOutcome.Failed) log.LogError("{Job}: failed (invocation {InvocationId}): {Error}", job.Name, invocationId, error);
        else log.LogInformation("{Job}: {Outcome} in {Ms} ms (invocation {InvocationId})", job.Name, outcome.ToLedger(), watch.ElapsedMilliseconds, invocationId);
        return result;
    }

    private async Task<long> StartLedgerAsync(string job, string invocationId, CancellationToken ct)
    {
        await using var conn = await sources.Pooled.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // A run killed mid-way (process killed, functionTimeout) left its row 'running': close it honestly.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE maintenance.job_runs
               SET outcome = 'failed', finished_at = greatest(now(), started_at),
                   error = 'abandoned: the run stopped without finishing (process killed or timed out)'
             WHERE job = @job AND outcome = 'running' AND started_at < now() - make_interval(secs => @abandonedSeconds)
            """, new { job, abandonedSeconds = _options.AbandonedAfter.TotalSeconds }, tx, cancellationToken: ct));
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO maintenance.job_runs (job, invocation_id) VALUES (@job, @invocationId) RETURNING id",
            new { job, invocationId = Truncate(invocationId, 200) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return id;
    }

    private async Task FinishLedgerAsync(long id, JobOutcome outcome, string summary, string? error)
    {
        // Not the run's token: a cancelled or timed-out run must still be recorded.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var conn = await sources.Pooled.OpenConnectionAsync(timeout.Token);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE maintenance.job_runs
               SET outcome = @outcome, finished_at = greatest(now(), started_at), summary = @summary::jsonb, error = @error
             WHERE id = @id
            """, new { id, outcome = outcome.ToLedger(), summary, error = error is null ? null : Truncate(error, 8000) },
            cancellationToken: timeout.Token));
    }

    private static string? Errors(IReadOnlyList<UnitResult> units)
    {
        var failed = units.Where(u => u.Outcome == UnitOutcome.Failed).Select(u => $"{u.Unit}: {u.Detail}").ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed);
    }

    private static string Summary(IReadOnlyList<UnitResult> units, bool dryRun, TimeSpan elapsed)
    {
        var array = new JsonArray();
        foreach (var u in units)
        {
            var node = new JsonObject { ["unit"] = u.Unit, ["outcome"] = u.Outcome.ToText() };
            if (u.Detail is not null) node["detail"] = u.Detail;
            if (u.Data is { Count: > 0 }) node["data"] = JsonSerializer.SerializeToNode(u.Data);
            array.Add(node);
        }
        return new JsonObject
        {
            ["dry_run"] = dryRun,
            ["elapsed_ms"] = (long)elapsed.TotalMilliseconds,
            ["units"] = array,
        }.ToJsonString();
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

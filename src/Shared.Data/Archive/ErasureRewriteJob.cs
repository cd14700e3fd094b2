using Microsoft.Extensions.Logging;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Archive;

/// <summary>
/// The ErasureRewrite timer (GDPR erasure in cold storage): every archived partition that holds rows of users erased
/// since it was written (maintenance.erasures past its watermark, matched against the users recorded at export) is
/// rewritten without them by <see cref="ErasureRewriter"/>; open rewrites are resumed first. One unit per archive, so
/// one failure never skips the others. Its own timer, monthly by default: each run batches every erasure so far into
/// one rewrite per archive, which matters when archives sit in the Archive tier (each rehydration is slow and paid).
/// It holds <see cref="MaintenanceLock"/> for the run, so it never overlaps PartitionMaintenance (which writes the
/// archives) or a restore --attach; an overlapping invocation reports contended and changes nothing.
/// </summary>
public sealed class ErasureRewriteJob : IMaintenanceJob
{
    public const string JobName = "ErasureRewrite";

    // Lazy: listing the jobs (the catalog, `run`'s job list and --help) must not need connection or storage settings.
    private readonly Lazy<NpgsqlDataSource> _direct;
    private readonly Lazy<ErasureRewriter> _rewriter;
    private readonly ILogger _logger;

    public ErasureRewriteJob(TravelDataSources sources, Lazy<ErasureRewriter> rewriter, ILogger<ErasureRewriteJob> logger)
        : this(new Lazy<NpgsqlDataSource>(() => sources.Direct), rewriter, logger)
    {
    }

    public ErasureRewriteJob(NpgsqlDataSource direct, ErasureRewriter rewriter, ILogger logger)
        : this(new Lazy<NpgsqlDataSource>(direct), new Lazy<ErasureRewriter>(rewriter), logger)
    {
    }

    private ErasureRewriteJob(Lazy<NpgsqlDataSource> direct, Lazy<ErasureRewriter> rewriter, ILogger logger)
    {
        DapperSetup.Configure();
        _direct = direct;
        _rewriter = rewriter;
        _logger = logger;
    }

    public string Name => JobName;

    /// <summary>03:00 UTC on the 1st of each month.</summary>
    public string DefaultSchedule => "0 0 3 1 * *";

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx)
    {
        var ct = ctx.CancellationToken;
        await using var lockConn = await _direct.Value.OpenConnectionAsync(ct);
        if (!await MaintenanceLock.TryAcquireAsync(lockConn, ct))
        {
            _logger.LogInformation("ErasureRewrite: PartitionMaintenance or a restore holds the maintenance lock; nothing done");
            return [new UnitResult("archives", UnitOutcome.Contended, "PartitionMaintenance or a restore --attach holds the maintenance lock")];
        }
        try
        {
            var candidates = await _rewriter.Value.CandidatesAsync(ct);
            if (candidates.Count == 0)
                return [new UnitResult("archives", UnitOutcome.NothingToDo, "no archive holds rows of a user erased since it was written")];
            var results = new List<UnitResult>();
            foreach (var archive in candidates)
                results.Add(await JobUnit.RunAsync(ctx, archive.PartitionName,
                    token => _rewriter.Value.RewriteAsync(archive, () => ctx.OutOfTime, ctx.DryRun, token)));
            return results;
        }
        finally
        {
            await MaintenanceLock.ReleaseAsync(lockConn);
        }
    }
}

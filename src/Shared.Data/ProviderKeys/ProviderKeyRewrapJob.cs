using Dapper;
using Microsoft.Extensions.Logging;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.ProviderKeys;

/// <summary>
/// After a KEK rotation (ProviderKeys__CurrentKey new, ProviderKeys__PreviousKey the old one), re-wraps every provider
/// key's data key under the current KEK, a batch per transaction, as travel_maintenance through the pooler. Each row's
/// UPDATE is conditional on the kek_id it was read with, so a run killed at any line, or two runs at once (SKIP LOCKED),
/// lose nothing and do nothing twice; the next run carries on. The sealed keys themselves are never read or written.
/// Rows under a KEK the app no longer holds cannot be opened by anyone: the unit fails and names that kek_id.
/// </summary>
public sealed class ProviderKeyRewrapJob : IMaintenanceJob
{
    private readonly TravelDataSources _sources;
    private readonly ProviderKeyCipher _cipher;

    public ProviderKeyRewrapJob(TravelDataSources sources, ProviderKeyCipher cipher)
    {
        DapperSetup.Configure(); // snake_case columns onto the records, however the job was built
        _sources = sources;
        _cipher = cipher;
    }

    public const string JobName = "ProviderKeyRewrap";
    public const string Unit = "provider_keys";
    /// <summary>Keys per transaction (tests make it small to stop a run between batches).</summary>
    public int BatchSize { get; init; } = 500;

    public string Name => JobName;
    public string DefaultSchedule => "0 20 * * * *";

    private sealed record WrappedKey(Guid Id, Guid UserId, string Service, byte[] DataKeyWrapped, string KekId);

    public async Task<IReadOnlyList<UnitResult>> RunAsync(JobContext ctx) =>
        [await JobUnit.RunAsync(ctx, Unit, ct => RewrapAsync(ctx, ct))];

    private async Task<UnitResult> RewrapAsync(JobContext ctx, CancellationToken ct)
    {
        var current = _cipher.CurrentKekId;
        var previous = _cipher.PreviousKekId;
        long rewrapped = 0;
        var batches = 0;
        while (true)
        {
            var (moved, left) = await BatchAsync(current, previous, ctx.DryRun, ct);
            rewrapped += moved;
            if (moved > 0) batches++;
            if (moved == 0 || ctx.DryRun) return Outcome(current, previous, rewrapped, batches, left, ctx, deferred: false);
            // Checked after a batch, never before the first: every run makes progress.
            if (ctx.OutOfTime) return Outcome(current, previous, rewrapped, batches, left, ctx, deferred: true);
        }
    }

    /// <summary>One transaction: lock a batch under the previous KEK, re-wrap it, and count what is not under the current one after it.</summary>
    private async Task<(int Moved, IReadOnlyDictionary<string, long> Left)> BatchAsync(string current, string? previous, bool dryRun, CancellationToken ct)
    {
        await using var conn = await _sources.Pooled.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var batch = (await conn.QueryAsync<WrappedKey>(new CommandDefinition("""
            SELECT id, user_id, service, data_key_wrapped, kek_id FROM provider_keys
             WHERE kek_id = @previous
             ORDER BY id LIMIT @limit
             FOR UPDATE SKIP LOCKED
            """, new { previous, limit = dryRun || previous is null ? 0 : BatchSize }, tx, cancellationToken: ct))).ToList();
        var moved = 0;
        foreach (var key in batch)
        {
            var next = _cipher.Rewrap(key.Id, key.UserId, key.Service, key.DataKeyWrapped, key.KekId);
            moved += await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE provider_keys SET data_key_wrapped = @wrapped, kek_id = @kekId WHERE id = @id AND kek_id = @old
                """, new { wrapped = next.DataKeyWrapped, kekId = next.KekId, id = key.Id, old = key.KekId }, tx, cancellationToken: ct));
        }
        var left = (await conn.QueryAsync<(string KekId, long Rows)>(new CommandDefinition(
            "SELECT kek_id, count(*) FROM provider_keys WHERE kek_id <> @current GROUP BY kek_id", new { current }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.KekId, r => r.Rows);
        await tx.CommitAsync(ct);
        return (moved, left);
    }

    private static UnitResult Outcome(string current, string? previous, long rewrapped, int batches, IReadOnlyDictionary<string, long> left,
        JobContext ctx, bool deferred)
    {
        var unknown = left.Where(l => l.Key != previous).ToDictionary();
        var data = new Dictionary<string, object?> { ["current_kek"] = current, ["rewrapped"] = rewrapped, ["batches"] = batches };
        foreach (var (kek, rows) in left) data["left_under_" + kek] = rows;
        if (deferred) return new UnitResult(Unit, UnitOutcome.Deferred, $"{rewrapped} re-wrapped; out of time with {left.Values.Sum()} left", data);
        if (ctx.DryRun) return new UnitResult(Unit, left.Count == 0 ? UnitOutcome.NothingToDo : UnitOutcome.Done, $"{left.Values.Sum()} to re-wrap (dry run)", data);
        if (unknown.Count > 0)
        {
            ctx.Logger.LogError("ProviderKeyRewrap: {Rows} provider keys are wrapped under KEKs the app does not hold: {Keks}", unknown.Values.Sum(), string.Join(", ", unknown.Keys));
            return new UnitResult(Unit, UnitOutcome.Failed,
                $"{unknown.Values.Sum()} keys under KEK {string.Join(", ", unknown.Keys)}, neither ProviderKeys:CurrentKey nor ProviderKeys:PreviousKey; {rewrapped} re-wrapped", data);
        }
        return new UnitResult(Unit, rewrapped == 0 ? UnitOutcome.NothingToDo : UnitOutcome.Done, rewrapped == 0 ? null : $"{rewrapped} re-wrapped", data);
    }
}

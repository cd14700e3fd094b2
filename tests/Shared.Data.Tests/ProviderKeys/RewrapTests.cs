using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.ProviderKeys;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.ProviderKeys;

/// <summary>
/// Rotating the key-encryption key: the ProviderKeyRewrap job moves every key from the previous KEK to the current
/// one through the pooler as travel_maintenance, in batches that each commit; stopped between batches, or run twice at
/// once, it loses nothing and re-wraps nothing twice; a key under a KEK the app does not hold fails the run by name.
/// </summary>
public sealed class RewrapTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private TravelDataSources? _sources;
    private static readonly string OldKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _sources = new TravelDataSources(_db.Maintenance, _db.Direct);
    }

    public async Task DisposeAsync()
    {
        if (_sources is not null) await _sources.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static ProviderKeyCipher Cipher(string current, string previous = "") =>
        new(Options.Create(new ProviderKeyOptions { CurrentKey = current, PreviousKey = previous }));

    private sealed record Stored(Guid Id, Guid UserId, string Service, string Secret);

    /// <summary>Keys sealed as the API seals them (under <paramref name="kek"/>), written straight into the table.</summary>
    private async Task<List<Stored>> SeedAsync(int count, string kek)
    {
        await using var admin = new NpgsqlConnection(_db.Admin);
        var userId = await admin.ExecuteScalarAsync<Guid>(
            "INSERT INTO users (email, password_hash, first_name, last_name) VALUES (@email, 'x', 'Key', 'Owner') RETURNING id",
            new { email = $"k{Guid.NewGuid():N}@example.test" });
        var cipher = Cipher(kek);
        var stored = new List<Stored>();
        for (var i = 0; i < count; i++)
        {
            var key = new Stored(Guid.NewGuid(), userId, i % 2 == 0 ? "openai" : "duffel", "sk-" + Guid.NewGuid().ToString("N"));
            var s = cipher.Seal(key.Id, key.UserId, key.Service, key.Secret);
            await admin.ExecuteAsync("""
                INSERT INTO provider_keys (id, user_id, service, label, last_four, secret_sealed, data_key_wrapped, kek_id)
                VALUES (@Id, @UserId, @Service, @label, @lastFour, @SecretSealed, @DataKeyWrapped, @KekId)
                """, new { key.Id, key.UserId, key.Service, label = "k" + i, lastFour = key.Secret[^4..], s.SecretSealed, s.DataKeyWrapped, s.KekId });
            stored.Add(key);
        }
        return stored;
    }

    private ProviderKeyRewrapJob Job(int batchSize = 3) => new(_sources!, Cipher(NewKek, OldKek)) { BatchSize = batchSize };

    /// <summary>A run's context; every read of its clock moves it a minute on, so a budget under a minute ends after one batch.</summary>
    private static JobContext Context(TimeSpan budget)
    {
        var start = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(start) { AutoAdvanceAmount = TimeSpan.FromMinutes(1) };
        return new JobContext(ProviderKeyRewrapJob.JobName, Guid.NewGuid().ToString(), start + budget, false, clock, NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>Every seeded key opens with the new KEK alone (no previous key configured) and is the key it was.</summary>
    private async Task AssertAllOpenUnderNewKekAsync(IEnumerable<Stored> keys)
    {
        var onlyNew = Cipher(NewKek);
        await using var admin = new NpgsqlConnection(_db.Admin);
        foreach (var key in keys)
        {
            var row = await admin.QuerySingleAsync<(byte[] Sealed, byte[] Wrapped, string Kek)>(
                "SELECT secret_sealed, data_key_wrapped, kek_id FROM provider_keys WHERE id = @Id", new { key.Id });
            Assert.Equal(onlyNew.CurrentKekId, row.Kek);
            Assert.Equal(key.Secret, onlyNew.Open(key.Id, key.UserId, key.Service, new SealedKey(row.Sealed, row.Wrapped, row.Kek)));
        }
    }

    [Fact]
    public async Task A_run_stopped_between_batches_is_finished_by_the_next_and_no_key_is_lost()
    {
        var keys = await SeedAsync(8, OldKek);
        var sealedBefore = await SealedAsync();

        // Time for one batch only: the run stops after its first COMMIT (as a run killed right after it would).
        var first = Assert.Single(await Job().RunAsync(Context(TimeSpan.FromSeconds(30))));
        Assert.Equal(UnitOutcome.Deferred, first.Outcome);
        Assert.Equal(3L, first.Data!["rewrapped"]);
        Assert.Equal(5L, first.Data!["left_under_" + Cipher(OldKek).CurrentKekId]);

        var second = Assert.Single(await Job().RunAsync(Context(TimeSpan.FromHours(5))));
        Assert.Equal(UnitOutcome.Done, second.Outcome);
        Assert.Equal(5L, second.Data!["rewrapped"]);
        await AssertAllOpenUnderNewKekAsync(keys);
        // The sealed keys themselves were never rewritten: only their data keys were re-wrapped.
        Assert.Equal(sealedBefore, await SealedAsync());

        var third = Assert.Single(await Job().RunAsync(Context(TimeSpan.FromHours(5))));
        Assert.Equal(UnitOutcome.NothingToDo, third.Outcome);
    }

    [Fact]
    public async Task Two_runs_at_once_share_the_work_and_rewrap_each_key_once()
    {
        var keys = await SeedAsync(20, OldKek);
        var runs = await Task.WhenAll(Job(2).RunAsync(Context(TimeSpan.FromHours(5))), Job(2).RunAsync(Context(TimeSpan.FromHours(5))));

        var results = runs.Select(Assert.Single).ToList();
        Assert.All(results, r => Assert.NotEqual(UnitOutcome.Failed, r.Outcome));
        Assert.Equal(20L, results.Sum(r => (long)r.Data!["rewrapped"]!));
        await AssertAllOpenUnderNewKekAsync(keys);
    }

    [Fact]
    public async Task Keys_under_a_KEK_the_app_does_not_hold_fail_the_run_by_name_and_the_others_still_move()
    {
        var stranger = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await SeedAsync(2, stranger);
        var keys = await SeedAsync(4, OldKek);

        var result = Assert.Single(await Job().RunAsync(Context(TimeSpan.FromHours(5))));
        Assert.Equal(UnitOutcome.Failed, result.Outcome);
        Assert.Contains(Cipher(stranger).CurrentKekId, result.Detail);
        Assert.Equal(4L, result.Data!["rewrapped"]);
        await AssertAllOpenUnderNewKekAsync(keys);
    }

    [Fact]
    public async Task The_job_runs_as_travel_maintenance_which_never_reads_the_sealed_keys()
    {
        await SeedAsync(1, OldKek);
        await using var conn = await _sources!.Pooled.OpenConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteScalarAsync<byte[]>("SELECT secret_sealed FROM provider_keys LIMIT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    private async Task<Dictionary<Guid, string>> SealedAsync()
    {
        await using var admin = new NpgsqlConnection(_db.Admin);
        return (await admin.QueryAsync<(Guid Id, byte[] Sealed)>("SELECT id, secret_sealed FROM provider_keys"))
            .ToDictionary(r => r.Id, r => Convert.ToHexString(r.Sealed));
    }
}

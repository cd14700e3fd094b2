using Dapper;
using Npgsql;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Tests.Archive;
using Xunit;

namespace TravelFunctions.Tests.Partitions;

/// <summary>
/// Partition DDL beside live traffic (issue 17): new months are attached while a writer's transaction is open on the
/// table (CREATE TABLE + CHECK, then ATTACH: no ACCESS EXCLUSIVE on the parent), and the detach before a drop waits
/// in short tries, letting inserts through between them, until the reader that holds the table leaves.
/// </summary>
public sealed class WriterFriendlyDdlTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public WriterFriendlyDdlTests(ArchiveWorld world) => _w = world;

    [Fact]
    public async Task New_months_are_attached_while_a_writer_and_a_reader_of_the_table_are_in_open_transactions()
    {
        await _w.Exec("UPDATE maintenance.table_settings SET enabled = false");  // premake only
        await _w.CreateMonth("external_api_logs", new DateOnly(2041, 2, 1));
        await using var writer = await _w.Direct.OpenConnectionAsync();
        await using var writerTx = await writer.BeginTransactionAsync();
        await writer.ExecuteAsync("""
            INSERT INTO external_api_logs (provider, endpoint, method, duration_ms, created_at)
            VALUES ('p', '/open', 'GET', 1, '2041-02-10Z')
            """, transaction: writerTx);
        await using var reader = await _w.Direct.OpenConnectionAsync();
        await using var readerTx = await reader.BeginTransactionAsync();
        await reader.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM external_api_logs WHERE created_at >= '2041-02-01Z' AND created_at < '2041-03-01Z'", transaction: readerTx);

        // With ACCESS EXCLUSIVE on the parent this would wait for both, time out (2 s, 4 retries) and fail.
        var results = await _w.Job().RunAsync(ArchiveWorld.Context(new DateTimeOffset(2041, 3, 10, 0, 0, 0, TimeSpan.Zero)));

        var premake = Assert.Single(results, r => r.Unit == "external_api_logs:premake");
        Assert.True(premake.Outcome == UnitOutcome.Done, premake.Detail);
        foreach (var month in new[] { "204103", "204104", "204105", "204106" })
            Assert.True(await _w.IsAttached($"external_api_logs_p{month}"), month);
        // The CHECK that spared ATTACH its scan is gone again (the bound says the same).
        Assert.Equal(0L, await _w.Scalar<long>("SELECT count(*) FROM pg_constraint WHERE conname ~ '_p[0-9]{6}_bounds$'"));

        await writerTx.CommitAsync();
        await readerTx.CommitAsync();
        Assert.Equal(1L, await _w.Scalar<long>("SELECT count(*) FROM external_api_logs WHERE endpoint = '/open'"));
    }

    [Fact]
    public async Task The_detach_waits_in_short_tries_inserts_go_through_between_them_and_it_succeeds_once_the_reader_leaves()
    {
        const string partition = "external_api_logs_p201603";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", new DateOnly(2016, 3, 1));
        await _w.InsertApiLogs(new DateOnly(2016, 3, 1), 100);
        var now = DateTimeOffset.UtcNow;
        var current = new DateOnly(now.Year, now.Month, 1);
        // The current month and the premade ones exist, so the job's premake has nothing to attach here.
        await _w.Exec("SELECT maintenance.ensure_monthly_partitions('public.external_api_logs', @current, 4)", new { current });

        // A reader in an open transaction holds the whole table (its plan touches every partition).
        await using var reader = await _w.Direct.OpenConnectionAsync();
        await using var readerTx = await reader.BeginTransactionAsync();
        await reader.ExecuteScalarAsync<long>("SELECT count(*) FROM external_api_logs", transaction: readerTx);

        var job = Task.Run(() => _w.Job().RunAsync(ArchiveWorld.Context()));
        // The DETACH waits for the parent's lock, gives up after 100 ms, and tries again as a new statement.
        var starts = new HashSet<DateTime>();
        for (var i = 0; starts.Count < 3; i++)
        {
            Assert.True(i < 3000, "no DETACH of the archived month was seen waiting three times");
            Assert.False(job.IsCompleted, "the job finished while the reader held the table");
            starts.UnionWith(await _w.Scalar<DateTime[]>("""
                SELECT coalesce(array_agg(query_start), '{}') FROM pg_stat_activity
                 WHERE query LIKE '%DETACH PARTITION%' AND query LIKE '%' || @partition || '%' AND wait_event_type = 'Lock'
                """, new { partition }));
            await Task.Delay(20);
        }

        // Between the tries an insert into the table goes through, though the detach is not done.
        await using (var writer = await _w.Direct.OpenConnectionAsync())
            await writer.ExecuteAsync("""
                INSERT INTO external_api_logs (provider, endpoint, method, duration_ms) VALUES ('p', '/between', 'GET', 1)
                """);
        Assert.False(job.IsCompleted);
        Assert.True(await _w.IsAttached(partition));

        await readerTx.CommitAsync();
        var results = await job.WaitAsync(TimeSpan.FromMinutes(2));
        var unit = Assert.Single(results, r => r.Unit == partition);
        Assert.True(unit.Outcome == UnitOutcome.Done, unit.Detail);
        Assert.Equal(ArchiveState.Dropped, (await _w.Ledger(partition))!.State);
        Assert.False(await _w.TableExists(partition));
        Assert.Equal(1L, await _w.Scalar<long>("SELECT count(*) FROM external_api_logs WHERE endpoint = '/between'"));
    }
}

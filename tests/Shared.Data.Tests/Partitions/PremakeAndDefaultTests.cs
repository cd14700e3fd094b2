using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;
using TravelFunctions.Tests.Archive;
using Xunit;

namespace TravelFunctions.Tests.Partitions;

/// <summary>(a) partitions created ahead, idempotently; (b) rows in a DEFAULT partition reported loudly and kept.</summary>
public sealed class PremakeAndDefaultTests : IClassFixture<ArchiveWorld>
{
    private static readonly string[] Tables = ["chat_messages", "external_api_logs", "notifications", "user_events"];
    private readonly ArchiveWorld _w;

    public PremakeAndDefaultTests(ArchiveWorld world) => _w = world;

    [Fact]
    public async Task Creates_the_current_month_and_premake_months_ahead_for_every_table_and_a_re_run_does_nothing()
    {
        await _w.Exec("UPDATE maintenance.table_settings SET enabled = false");  // retention off: this test is about premake
        await _w.Exec("UPDATE maintenance.table_settings SET premake_months = 5 WHERE table_name = 'user_events'");
        var now = new DateTimeOffset(2031, 11, 20, 23, 59, 0, TimeSpan.Zero);

        var dry = await _w.Job().RunAsync(ArchiveWorld.Context(now, dryRun: true));
        Assert.Contains("would create", Assert.Single(dry, r => r.Unit == "user_events:premake").Detail);
        Assert.False(await _w.TableExists("user_events_p203111"));

        var first = await _w.Job().RunAsync(ArchiveWorld.Context(now));

        foreach (var table in Tables)
        {
            var unit = Assert.Single(first, r => r.Unit == $"{table}:premake");
            Assert.True(unit.Outcome == UnitOutcome.Done, unit.Detail);
            var months = table == "user_events" ? 6 : 4;
            for (var i = 0; i < months; i++)
            {
                var m = new DateTimeOffset(2031, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(i);
                var name = $"{table}_p{m:yyyyMM}";
                Assert.True(await _w.IsAttached(name), name);
                // Real bounds: UTC month edges.
                Assert.Equal($"FOR VALUES FROM ('{m:yyyy-MM-dd} 00:00:00+00') TO ('{m.AddMonths(1):yyyy-MM-dd} 00:00:00+00')",
                    await _w.Scalar<string>("SET TimeZone = 'UTC'; SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = @n", new { n = name }));
            }
            Assert.False(await _w.TableExists($"{table}_p{new DateTimeOffset(2031, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(months):yyyyMM}"));
        }

        var second = await _w.Job().RunAsync(ArchiveWorld.Context(now));
        Assert.All(second.Where(r => r.Unit.EndsWith(":premake")), r => Assert.Equal(UnitOutcome.NothingToDo, r.Outcome));
    }

    [Fact]
    public async Task Rows_in_a_default_partition_are_reported_and_kept_and_block_only_their_own_month()
    {
        await _w.Exec("UPDATE maintenance.table_settings SET enabled = false");
        var user = await _w.CreateUser();
        await _w.Exec("""
            INSERT INTO user_events (user_id, event_type, occurred_at) VALUES
              (@user, 'stray.one', '2077-02-03Z'), (@user, 'stray.two', '2077-02-04Z');
            """, new { user });
        Assert.Equal(2, await _w.Scalar<long>("SELECT count(*) FROM user_events_default"));

        // "Now" is 2076-12: premake wants 2076-12 … 2077-03, and 2077-02 collides with the stray rows.
        var results = await _w.Job().RunAsync(ArchiveWorld.Context(new DateTimeOffset(2076, 12, 5, 0, 0, 0, TimeSpan.Zero)));

        var report = Assert.Single(results, r => r.Unit == "user_events:default");
        Assert.Equal(UnitOutcome.Failed, report.Outcome);
        Assert.Contains("2 row(s) in DEFAULT partition user_events_default", report.Detail);
        var premake = Assert.Single(results, r => r.Unit == "user_events:premake");
        Assert.Equal(UnitOutcome.Failed, premake.Outcome);
        Assert.Contains("2077-02", premake.Detail);
        // The other months were still made, and the other tables were not held up.
        Assert.True(await _w.IsAttached("user_events_p207612"));
        Assert.True(await _w.IsAttached("user_events_p207703"));
        Assert.False(await _w.TableExists("user_events_p207702"));
        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == "chat_messages:premake").Outcome);
        Assert.Equal(UnitOutcome.NothingToDo, Assert.Single(results, r => r.Unit == "chat_messages:default").Outcome);
        // Kept, not moved.
        Assert.Equal(2, await _w.Scalar<long>("SELECT count(*) FROM user_events_default WHERE event_type LIKE 'stray.%'"));
    }

    [Fact]
    public async Task A_partition_whose_newest_row_is_not_cold_is_left_alone()
    {
        // A hand-made partition spanning a long range: its upper bound is past the cutoff, so it is never cold,
        // and a partition whose bounds say cold is still checked against its newest row (the bounds must win).
        await _w.OnlyRetentionOf("user_events", 12);
        await _w.Exec("""
            CREATE TABLE user_events_legacy (LIKE user_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            ALTER TABLE user_events ATTACH PARTITION user_events_legacy FOR VALUES FROM ('2001-01-01Z') TO ('2011-01-01Z');
            """);
        var results = await _w.Job().RunAsync(ArchiveWorld.Context(new DateTimeOffset(2010, 6, 1, 0, 0, 0, TimeSpan.Zero), dryRun: true));
        Assert.DoesNotContain(results, r => r.Unit == "user_events_legacy");
        Assert.True(await _w.IsAttached("user_events_legacy"));
    }
}

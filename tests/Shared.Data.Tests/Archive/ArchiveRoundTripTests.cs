using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Jobs;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>Archive + drop of old partitions, the manifest, and restore (side table and re-attach) proving identical rows.</summary>
public sealed class ArchiveRoundTripTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ArchiveRoundTripTests(ArchiveWorld world) => _w = world;

    [Fact]
    public async Task Archives_an_old_partition_then_restores_it_identically_as_side_table_and_attached()
    {
        const string partition = "external_api_logs_p201903";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", new DateOnly(2019, 3, 1));
        await _w.InsertApiLogs(new DateOnly(2019, 3, 1), 3000);
        await _w.Exec($"CREATE TABLE expected_201903 AS SELECT * FROM {partition}");

        var results = await _w.Job().RunAsync(ArchiveWorld.Context());

        var unit = Assert.Single(results, r => r.Unit == partition);
        Assert.True(unit.Outcome == UnitOutcome.Done, unit.Detail);
        Assert.False(await _w.TableExists(partition));
        Assert.Equal(0, await _w.Scalar<long>("SELECT count(*) FROM external_api_logs WHERE created_at < '2019-04-01Z'"));
        var ledger = await _w.Ledger(partition);
        Assert.Equal(ArchiveState.Dropped, ledger!.State);
        Assert.Equal(3000, ledger.RowCount);
        Assert.Equal(1, ledger.Attempts);
        Assert.Equal(
            ["external_api_logs/2019/03/external_api_logs_p201903.csv.gz", "external_api_logs/2019/03/external_api_logs_p201903.manifest.json"],
            await _w.BlobNames("external_api_logs/2019/"));

        // The manifest: the commit marker with everything needed to read the CSV without the database.
        var manifest = await _w.Restorer().ReadManifestAsync(partition, default);
        Assert.Equal("external_api_logs", manifest.Table);
        Assert.Equal(new DateTimeOffset(2019, 3, 1, 0, 0, 0, TimeSpan.Zero), manifest.RangeFrom);
        Assert.Equal(new DateTimeOffset(2019, 4, 1, 0, 0, 0, TimeSpan.Zero), manifest.RangeTo);
        Assert.Equal(3000, manifest.RowCount);
        Assert.Equal("csv+gzip", manifest.Format);
        Assert.Equal(ledger.Sha256, manifest.Sha256);
        Assert.Contains(manifest.Columns, c => c.Name == "request" && c.Type == "jsonb");
        Assert.Contains(manifest.Columns, c => c.Name == "created_at" && c.Type == "timestamp with time zone");
        Assert.Equal((await _w.Store.GetPropertiesAsync(manifest.Blob)).ContentLength, manifest.CompressedBytes);
        using (var doc = JsonDocument.Parse(ledger.Manifest!))
            Assert.Equal(manifest.Sha256, doc.RootElement.GetProperty("sha256").GetString());

        // A plain gzip CSV with a header row: readable without us.
        await using (var raw = await _w.Store.OpenReadAsync(manifest.Blob))
        await using (var gz = new GZipStream(raw, CompressionMode.Decompress))
        using (var reader = new StreamReader(gz, Encoding.UTF8))
            Assert.Equal(string.Join(",", manifest.Columns.Select(c => c.Name)), await reader.ReadLineAsync());

        // Side table: identical rows.
        var side = await _w.Restorer().RestoreAsync(partition, attach: false, intoTable: "restored_201903", default);
        Assert.Equal(3000, side.Rows);
        Assert.False(await _w.IsAttached("restored_201903"));
        await _w.AssertSameRows("expected_201903", "restored_201903");

        // Attached again with its original bounds: identical rows through the parent.
        var attached = await _w.Restorer().RestoreAsync(partition, attach: true, intoTable: null, default);
        Assert.True(attached.Attached);
        Assert.NotNull(attached.Note);  // still past retention: says the next run archives it again
        Assert.True(await _w.IsAttached(partition));
        Assert.Equal("FOR VALUES FROM ('2019-03-01 00:00:00+00') TO ('2019-04-01 00:00:00+00')",
            await _w.Scalar<string>("SET TimeZone = 'UTC'; SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = @p", new { p = partition }));
        await _w.AssertSameRows("expected_201903",
            "(SELECT * FROM external_api_logs WHERE created_at >= '2019-03-01Z' AND created_at < '2019-04-01Z') AS viaparent");

        // Restoring over an existing table is refused and changes nothing.
        var refused = await Assert.ThrowsAsync<ArchiveRestoreException>(() => _w.Restorer().RestoreAsync(partition, true, null, default));
        Assert.Contains("already exists", refused.Message);

        // Cold again: the next run archives it again (a new cycle, the same blob names) with the same bytes.
        var again = await _w.Job().RunAsync(ArchiveWorld.Context());
        var redone = again.SingleOrDefault(r => r.Unit == partition);
        Assert.True(redone?.Outcome == UnitOutcome.Done, string.Join("\n", again.Select(r => $"{r.Unit} {r.Outcome} {r.Detail}")));
        Assert.Equal(ledger.Sha256, (await _w.Ledger(partition))!.Sha256);
        Assert.Equal(2, (await _w.BlobNames("external_api_logs/2019/")).Count);
    }

    [Fact]
    public async Task Every_column_type_survives_the_round_trip()
    {
        // A partitioned table of our own with the types the feeds don't have (numeric, bytea, arrays, …).
        await _w.Exec("""
            CREATE TABLE probe (
                id bigint NOT NULL, ts timestamptz NOT NULL, n numeric(30,10), f double precision, t text, b bytea,
                arr text[], j jsonb, d date, iv interval, u uuid, flag boolean,
                PRIMARY KEY (ts, id)) PARTITION BY RANGE (ts);
            CREATE TABLE probe_default PARTITION OF probe DEFAULT;
            SELECT maintenance.ensure_monthly_partitions('public.probe', '2018-06-01', 1);
            INSERT INTO probe
            SELECT g, timestamptz '2018-06-01 00:00:00Z' + make_interval(secs => g * 11.000001),
                   CASE WHEN g % 4 = 0 THEN NULL ELSE (g * 1234567.0123456789)::numeric(30,10) END,
                   CASE g % 5 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN 'Infinity' ELSE g / 7.0 END,
                   CASE g % 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'a,b\n"c"\r\n\\N' WHEN 3 THEN '\N' WHEN 4 THEN ' lead and trail ' ELSE repeat('x', 5000) END,
                   CASE WHEN g % 3 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END,
                   CASE WHEN g % 2 = 0 THEN ARRAY['a,b', NULL, '"q"', ''] ELSE NULL END,
                   CASE g % 3 WHEN 0 THEN 'null'::jsonb WHEN 1 THEN NULL ELSE jsonb_build_object('x', 0.1 + g, 'nested', jsonb_build_object('s', E'\t\u00e9')) END,
                   date '2018-06-01' + g, make_interval(days => g, secs => 0.5), gen_random_uuid(), g % 2 = 0
              FROM generate_series(1, 2000) g;
            INSERT INTO maintenance.table_settings (table_name, premake_months, hot_months, retention_action) VALUES ('probe', 1, 12, 'archive');
            UPDATE maintenance.table_settings SET enabled = (table_name = 'probe');
            CREATE TABLE expected_probe AS SELECT * FROM probe_p201806;
            """);

        var results = await _w.Job().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == "probe_p201806").Outcome);
        Assert.False(await _w.TableExists("probe_p201806"));
        await _w.Restorer().RestoreAsync("probe_p201806", attach: false, intoTable: "probe_back", default);
        await _w.AssertSameRows("expected_probe", "probe_back");
        // float8 NaN compares equal to itself in SQL; also compare the text forms column by column.
        Assert.Equal(0, await _w.Scalar<long>("""
            SELECT count(*) FROM expected_probe e FULL JOIN probe_back r USING (id)
             WHERE row(e.*)::text IS DISTINCT FROM row(r.*)::text
            """));
    }

    [Fact]
    public async Task Drop_tables_lose_old_partitions_without_an_archive_and_restore_leaves_a_purged_user_out()
    {
        await _w.Exec("UPDATE maintenance.table_settings SET enabled = (table_name IN ('notifications', 'user_events'))");
        var user = await _w.CreateUser();
        await _w.CreateMonth("notifications", new DateOnly(2018, 1, 1));
        await _w.CreateMonth("user_events", new DateOnly(2018, 1, 1));
        await _w.Exec("""
            INSERT INTO notifications (user_id, kind, title, created_at) VALUES (@user, 'trip.reminder', 'Hello', '2018-01-15Z');
            INSERT INTO user_events (user_id, event_type, occurred_at) SELECT @user, 'page.view', timestamptz '2018-01-02Z' + g * interval '1 minute'
              FROM generate_series(1, 50) g;
            """, new { user });

        var results = await _w.Job().RunAsync(ArchiveWorld.Context());

        var dropped = Assert.Single(results, r => r.Unit == "notifications_p201801");
        Assert.Equal(UnitOutcome.Done, dropped.Outcome);
        Assert.False(await _w.TableExists("notifications_p201801"));
        Assert.Empty(await _w.BlobNames("notifications/"));
        Assert.Null(await _w.Ledger("notifications_p201801"));
        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == "user_events_p201801").Outcome);

        // The user is purged after the archive: the restore leaves their rows out (maintenance.erasures), so the
        // partition attaches again with its FK to users intact, and the erased user does not come back.
        await _w.Exec("DELETE FROM users WHERE id = @user", new { user });
        var side = await _w.Restorer().RestoreAsync("user_events_p201801", false, "user_events_201801_kept", default);
        Assert.Equal((0L, 50L), (side.Rows, side.ErasedRows));
        var attached = await _w.Restorer().RestoreAsync("user_events_p201801", true, null, default);
        Assert.Equal((0L, 50L), (attached.Rows, attached.ErasedRows));
        Assert.True(await _w.IsAttached("user_events_p201801"));
    }
}

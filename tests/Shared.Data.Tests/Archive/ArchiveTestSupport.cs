using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;
using TravelFunctions.TestSupport;
using TravelFunctions.Tests.Blob;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// One test class's world: its own database (cloned from the migrated template), its own blob container in the
/// shared Azurite, the owner's direct data source, and helpers to build old partitions and run the job.
/// </summary>
public sealed class ArchiveWorld : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public string Container { get; } = AzuriteBlob.UniqueContainer("arch");
    public AzureBlobStore Store { get; }
    public NpgsqlDataSource Direct { get; private set; } = null!;

    public ArchiveWorld()
    {
        TravelFunctions.Data.Connections.DapperSetup.Configure();  // DateOnly parameters
        Store = AzuriteBlob.CreateStore(Container);
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Direct = NpgsqlDataSource.Create(Database.Direct);
        await Store.EnsureContainerExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await Direct.DisposeAsync();
        await Store.Container.DeleteIfExistsAsync();
        await Database.DisposeAsync();
    }

    public PartitionArchiver Archiver(IArchiveStepHook? hook = null, IBlobStore? store = null) =>
        new(Direct, store ?? Store, NullLogger.Instance, hook);

    public PartitionMaintenanceJob Job(IArchiveStepHook? hook = null, IBlobStore? store = null) =>
        new(Direct, Archiver(hook, store), NullLogger.Instance);

    public ArchiveRestorer Restorer() => new(Direct, Store, NullLogger.Instance);

    public static JobContext Context(DateTimeOffset? now = null, bool dryRun = false, TimeSpan? budget = null, CancellationToken ct = default)
    {
        var clock = new FakeTimeProvider(now ?? DateTimeOffset.UtcNow);
        return new JobContext(PartitionMaintenanceJob.JobName, Guid.NewGuid().ToString(), clock.GetUtcNow() + (budget ?? TimeSpan.FromMinutes(10)),
            dryRun, clock, NullLogger.Instance, ct);
    }

    public async Task<T> Scalar<T>(string sql, object? args = null)
    {
        await using var conn = await Direct.OpenConnectionAsync();
        // Dapper types a scalar as nullable; the tests only ask for values their queries always return.
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task Exec(string sql, object? args = null)
    {
        await using var conn = await Direct.OpenConnectionAsync();
        await conn.ExecuteAsync(sql, args);
    }

    /// <summary>Retention only for <paramref name="table"/> (others disabled), with the given hot months.</summary>
    public Task OnlyRetentionOf(string table, int hotMonths) => Exec("""
        UPDATE maintenance.table_settings SET enabled = (table_name = @table);
        UPDATE maintenance.table_settings SET hot_months = @hotMonths WHERE table_name = @table;
        """, new { table, hotMonths });

    public Task CreateMonth(string table, DateOnly month) =>
        Exec("SELECT maintenance.ensure_monthly_partitions(@t::regclass, @month, 1)", new { t = "public." + table, month });

    public Task<Guid> CreateUser() => Scalar<Guid>("""
        INSERT INTO users (email, password_hash, first_name, last_name)
        VALUES (gen_random_uuid() || '@example.test', 'x', 'Ada', 'Lovelace') RETURNING id
        """);

    /// <summary>
    /// external_api_logs rows for one month with the awkward values: text with commas, quotes and newlines,
    /// NULLs next to JSON null, large/precise JSON numbers, microsecond timestamps, unicode.
    /// </summary>
    public Task InsertApiLogs(DateOnly month, int rows) => Exec("""
        INSERT INTO external_api_logs (user_id, provider, endpoint, method, status_code, duration_ms, request, response, error, created_at)
        SELECT NULL, 'prov_' || (g % 7),
               CASE g % 4 WHEN 0 THEN '/a,b,c?q="x"' WHEN 1 THEN E'/multi\nline\r\nendpoint' WHEN 2 THEN '/ünïcødé ✈ ' || g ELSE '/plain/' || g END,
               (ARRAY['GET','POST','PUT','DELETE'])[1 + g % 4],
               CASE WHEN g % 5 = 0 THEN NULL ELSE 200 + g % 300 END,
               g * 3,
               CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN 'null'::jsonb
                    ELSE jsonb_build_object('n', 123456789012345678901234567890.123456789::numeric, 'small', 1e-30::numeric,
                                            'text', E'comma, "quote"\nnewline', 'arr', jsonb_build_array(1, 'two', null, true)) END,
               jsonb_build_object('g', g, 'price', (g * 1.05)::numeric(12,2)),
               CASE WHEN g % 2 = 0 THEN NULL ELSE E'error "' || g || E'",\nwith, commas' END,
               (@month::date::timestamp AT TIME ZONE 'UTC') + make_interval(secs => g * 37.123457)
          FROM generate_series(1, @rows) AS g
        """, new { month, rows });

    public async Task<IReadOnlyList<string>> BlobNames(string prefix = "")
    {
        var names = new List<string>();
        await foreach (var b in Store.ListBlobsAsync(prefix)) names.Add(b.Name);
        return names;
    }

    public Task<ArchiveRecord?> Ledger(string partition) => WithConn(c => ArchiveLedger.GetAsync(c, partition, CancellationToken.None));

    private async Task<T> WithConn<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        await using var conn = await Direct.OpenConnectionAsync();
        return await work(conn);
    }

    /// <summary>Rows in one relation and not the other, both ways (EXCEPT ALL: duplicates count), plus both counts.</summary>
    public async Task AssertSameRows(string expected, string actual, string columns = "*")
    {
        var missing = await Scalar<long>($"SELECT count(*) FROM (SELECT {columns} FROM {expected} EXCEPT ALL SELECT {columns} FROM {actual}) d");
        var extra = await Scalar<long>($"SELECT count(*) FROM (SELECT {columns} FROM {actual} EXCEPT ALL SELECT {columns} FROM {expected}) d");
        var expectedCount = await Scalar<long>($"SELECT count(*) FROM {expected}");
        var actualCount = await Scalar<long>($"SELECT count(*) FROM {actual}");
        Assert.Equal(0, missing);
        Assert.Equal(0, extra);
        Assert.Equal(expectedCount, actualCount);
    }

    public Task<bool> TableExists(string name) => Scalar<bool>("SELECT to_regclass(@n) IS NOT NULL", new { n = "public." + name });

    public Task<bool> IsAttached(string name) =>
        Scalar<bool>("SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(@n))", new { n = "public." + name });
}

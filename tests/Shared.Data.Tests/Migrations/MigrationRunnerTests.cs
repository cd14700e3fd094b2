using Npgsql;
using TravelFunctions.Data.Migrations;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Migrations;

public sealed class MigrationRunnerTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Template_database_has_every_migration_recorded_with_checksum_and_duration()
    {
        var files = MigrationRunner.ReadFiles(TestDatabase.MigrationsDirectory);
        await using var conn = new NpgsqlConnection(db.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version, checksum, duration_ms FROM schema_migrations ORDER BY version", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var applied = new List<(string, string)>();
        while (await r.ReadAsync())
        {
            applied.Add((r.GetString(0), r.GetString(1)));
            Assert.True(r.GetInt32(2) >= 0);
        }
        Assert.Equal(files.Select(f => (f.Version, f.Checksum)), applied);
    }

    [Fact]
    public async Task Rerun_is_a_no_op()
    {
        var applied = await new MigrationRunner(db.Direct, TestDatabase.MigrationsDirectory).MigrateAsync();
        Assert.Empty(applied);
    }

    [Fact]
    public async Task Refuses_to_run_when_an_applied_file_was_edited_and_applies_nothing()
    {
        await using var own = await OwnDatabase.CreateAsync();
        var db = own.Db;
        var dir = CopyMigrations();
        var first = Directory.GetFiles(dir, "*.sql").Order().First();
        File.AppendAllText(first, "\n-- an innocent-looking edit\n");
        File.WriteAllText(Path.Combine(dir, "9999_should_not_apply.sql"), "CREATE TABLE must_not_exist (id int);");

        var ex = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(db.Direct, dir).MigrateAsync());
        Assert.Contains(Path.GetFileName(first), ex.Message);
        Assert.Contains("edited", ex.Message);
        Assert.False(await TableExistsAsync(db, "must_not_exist"));
    }

    [Fact]
    public async Task Refuses_to_run_when_an_applied_file_is_missing()
    {
        await using var own = await OwnDatabase.CreateAsync();
        var db = own.Db;
        var dir = CopyMigrations();
        File.Delete(Directory.GetFiles(dir, "*.sql").Order().Last());
        var ex = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(db.Direct, dir).MigrateAsync());
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public async Task Applies_new_files_in_order_each_in_a_transaction_and_a_failing_file_leaves_nothing()
    {
        await using var own = await OwnDatabase.CreateAsync();
        var db = own.Db;
        var dir = CopyMigrations();
        File.WriteAllText(Path.Combine(dir, "9001_good.sql"), "CREATE TABLE runner_good (id int);");
        File.WriteAllText(Path.Combine(dir, "9002_bad.sql"), "CREATE TABLE runner_half (id int);\nSELECT * FROM no_such_table;");
        var ex = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(db.Direct, dir).MigrateAsync());
        Assert.Contains("9002_bad.sql", ex.Message);
        Assert.True(await TableExistsAsync(db, "runner_good"));
        Assert.False(await TableExistsAsync(db, "runner_half")); // rolled back with its file

        // A no-transaction file (for CONCURRENTLY work) runs outside a transaction.
        File.WriteAllText(Path.Combine(dir, "9002_bad.sql"), "-- migration: no-transaction\nCREATE INDEX CONCURRENTLY runner_good_idx ON runner_good (id);");
        var applied = await new MigrationRunner(db.Direct, dir).MigrateAsync();
        Assert.Equal(["9002_bad.sql"], applied);
    }

    [Fact]
    public async Task Two_runners_at_once_apply_each_file_exactly_once()
    {
        await using var own = await OwnDatabase.CreateAsync();
        var db = own.Db;
        var dir = CopyMigrations();
        File.WriteAllText(Path.Combine(dir, "9100_counter.sql"), "CREATE TABLE runner_once (id int); INSERT INTO runner_once VALUES (1);");
        var results = await Task.WhenAll(
            new MigrationRunner(db.Direct, dir).MigrateAsync(),
            new MigrationRunner(db.Direct, dir).MigrateAsync());
        Assert.Equal(1, results.Count(r => r.Contains("9100_counter.sql")));
    }

    private static string CopyMigrations()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tf-migrations-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(TestDatabase.MigrationsDirectory, "*.sql"))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    /// <summary>These tests add or break migration files, so each gets a database of its own.</summary>
    private sealed class OwnDatabase : IAsyncDisposable
    {
        public TestDatabase Db { get; } = new();
        public static async Task<OwnDatabase> CreateAsync() { var o = new OwnDatabase(); await o.Db.InitializeAsync(); return o; }
        public async ValueTask DisposeAsync() => await Db.DisposeAsync();
    }

    private static async Task<bool> TableExistsAsync(TestDatabase db, string table)
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
        cmd.Parameters.AddWithValue("t", table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}

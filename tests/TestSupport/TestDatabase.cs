using System.Security.Cryptography;
using System.Text;
using Npgsql;
using TravelFunctions.Data.Migrations;
using Xunit;

namespace TravelFunctions.TestSupport;

/// <summary>
/// A database of its own for one test class, cloned from a template that holds every migration.
/// The template is named after the migrations' checksums, built once per machine under an advisory
/// lock (test projects run in parallel), and reused until a migration changes.
/// The app's endpoints are the real ones: <see cref="Pooled"/> goes through PgBouncer as travel_app.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _templateName;

    public string Name { get; } = "tf_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>travel_app through PgBouncer (transaction mode): what the API uses.</summary>
    public string Pooled => Build(TestStack.PgBouncerPort, "travel_app", TestStack.AppPassword);
    /// <summary>travel_owner on the direct endpoint: migrations and DDL.</summary>
    public string Direct => Build(TestStack.PostgresPort, "travel_owner", TestStack.OwnerPassword);
    /// <summary>travel_maintenance through PgBouncer: the timer jobs' DML.</summary>
    public string Maintenance => Build(TestStack.PgBouncerPort, "travel_maintenance", TestStack.MaintenancePassword);
    /// <summary>Superuser on the direct endpoint, for assertions that must see everything.</summary>
    public string Admin => new NpgsqlConnectionStringBuilder(TestStack.AdminConnectionString) { Database = Name }.ConnectionString;

    private string Build(int port, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = port, Database = Name, Username = user, Password = password,
        NoResetOnClose = true, MaxAutoPrepare = 0,
    }.ConnectionString;

    public async Task InitializeAsync()
    {
        var template = await EnsureTemplateAsync();
        await using var admin = await OpenAdminAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{Name}\" TEMPLATE \"{template}\" OWNER travel_owner", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = await OpenAdminAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public static string MigrationsDirectory => Path.Combine(TestStack.RepoRoot, "sql", "migrations");

    private static async Task<string> EnsureTemplateAsync()
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (_templateName is not null) return _templateName;
            var files = MigrationRunner.ReadFiles(MigrationsDirectory);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                string.Join("\n", files.Select(f => f.Name + ":" + f.Checksum)))))[..12];
            var name = "tf_template_" + hash;

            await using var admin = await OpenAdminAsync();
            // Session lock on the direct endpoint: other test processes wait here while one builds.
            await Exec(admin, "SELECT pg_advisory_lock(7140227002)");
            try
            {
                await using (var check = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", admin))
                {
                    check.Parameters.AddWithValue("n", name);
                    if (await check.ExecuteScalarAsync() is not null) return _templateName = name;
                }
                var building = name + "_building";
                await Exec(admin, $"DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)");
                await Exec(admin, $"CREATE DATABASE \"{building}\" OWNER travel_owner");
                var direct = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1", Port = TestStack.PostgresPort, Database = building,
                    Username = "travel_owner", Password = TestStack.OwnerPassword,
                }.ConnectionString;
                await new MigrationRunner(direct, MigrationsDirectory).MigrateAsync();
                // Renamed only when complete, so a half-built template is never cloned.
                await Exec(admin, $"ALTER DATABASE \"{building}\" RENAME TO \"{name}\"");
                return _templateName = name;
            }
            finally
            {
                await Exec(admin, "SELECT pg_advisory_unlock(7140227002)");
            }
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestStack.AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

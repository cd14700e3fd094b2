using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Migrations;

/// <summary>
/// Applies sql/migrations/NNNN_name.sql in order on the direct endpoint. Holds a session advisory lock
/// (so two deployments never migrate at once), records version, checksum and duration in
/// schema_migrations, runs each file in its own transaction unless the file opts out with a first
/// line of <c>-- migration: no-transaction</c> (for CONCURRENTLY work), and refuses to run at all
/// when a file that was already applied has changed or disappeared.
/// </summary>
public sealed class MigrationRunner(string directConnectionString, string migrationsDirectory, ILogger? logger = null)
{
    private const long LockKey = 7_140_227_001; // arbitrary, fixed: "travel migrations"
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "migrations");

    public static IReadOnlyList<MigrationFile> ReadFiles(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Migrations folder not found: {directory}");
        return Directory.GetFiles(directory, "*.sql")
            .Select(MigrationFile.Load)
            .OrderBy(f => f.Version, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default)
    {
        var files = ReadFiles(migrationsDirectory);
        var duplicate = files.GroupBy(f => f.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new MigrationException($"Two migration files share version {duplicate.Key}: {string.Join(", ", duplicate.Select(f => f.Name))}");

        // No pooling: a migration connection must not outlive its work (templates are cloned right after).
        var cs = new NpgsqlConnectionStringBuilder(ConnectionStrings.ForDirectEndpoint(directConnectionString))
        {
            Pooling = false,
            CommandTimeout = 0,
        }.ConnectionString;
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     text PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now(),
                    duration_ms integer NOT NULL
                )
                """, cancellationToken: ct));
            var applied = (await conn.QueryAsync<(string Version, string Name, string Checksum)>(
                new CommandDefinition("SELECT version, name, checksum FROM schema_migrations", cancellationToken: ct)))
                .ToDictionary(a => a.Version);

            var problems = new List<string>();
            foreach (var a in applied.Values)
            {
                var file = files.FirstOrDefault(f => f.Version == a.Version);
                if (file is null) problems.Add($"{a.Name} was applied but is missing from {migrationsDirectory}");
                else if (file.Checksum != a.Checksum) problems.Add($"{file.Name} was edited after it was applied (checksum {a.Checksum[..12]}… now {file.Checksum[..12]}…)");
            }
            if (problems.Count > 0)
                throw new MigrationException("Refusing to migrate: " + string.Join("; ", problems) +
                    ". Applied migrations are immutable: add a new file instead.");

            var done = new List<string>();
            foreach (var file in files.Where(f => !applied.ContainsKey(f.Version)))
            {
                var sw = Stopwatch.StartNew();
                _log.LogInformation("Applying migration {Migration}", file.Name);
                await using (var tx = file.InTransaction ? await conn.BeginTransactionAsync(ct) : null)
                {
                    try
                    {
                        await using (var cmd = new NpgsqlCommand(file.Sql, conn, tx))
                            await cmd.ExecuteNonQueryAsync(ct);
                    }
                    catch (PostgresException ex)
                    {
                        throw new MigrationException($"Migration {file.Name} failed: {ex.MessageText} ({ex.SqlState}){(ex.Position > 0 ? $" at character {ex.Position}" : "")}", ex);
                    }
                    await conn.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO schema_migrations (version, name, checksum, duration_ms) VALUES (@Version, @Name, @Checksum, @ms)",
                        new { file.Version, file.Name, file.Checksum, ms = (int)sw.ElapsedMilliseconds }, tx, cancellationToken: ct));
                    if (tx is not null) await tx.CommitAsync(ct);
                }
                _log.LogInformation("Applied {Migration} in {Ms} ms", file.Name, sw.ElapsedMilliseconds);
                done.Add(file.Name);
            }
            return done;
        }
        finally
        {
            if (conn.State == System.Data.ConnectionState.Open)
                await conn.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }
}

public sealed record MigrationFile(string Version, string Name, string Sql, string Checksum, bool InTransaction)
{
    public const string NoTransactionMarker = "-- migration: no-transaction";

    public static MigrationFile Load(string path)
    {
        var name = Path.GetFileName(path);
        var underscore = name.IndexOf('_');
        if (underscore < 1 || !name[..underscore].All(char.IsAsciiDigit))
            throw new MigrationException($"Migration file name must be NNNN_name.sql: {name}");
        // Line endings are normalized so a checkout on another OS does not look like an edit.
        var sql = File.ReadAllText(path).Replace("\r\n", "\n");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        var inTransaction = !sql.TrimStart().StartsWith(NoTransactionMarker, StringComparison.OrdinalIgnoreCase);
        return new MigrationFile(name[..underscore], name, sql, checksum, inTransaction);
    }
}

public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);

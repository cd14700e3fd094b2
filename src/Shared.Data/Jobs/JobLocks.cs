using Dapper;
using Npgsql;

namespace TravelFunctions.Data.Jobs;

/// <summary>
/// Overlap safety. Through PgBouncer (transaction mode) a session advisory lock would stay on a server
/// connection that the next client gets, so units take a transaction-level lock
/// (pg_try_advisory_xact_lock), released by COMMIT/ROLLBACK, in the same transaction as their work.
/// The loser does not wait: it reports Contended and leaves the work to the holder.
/// </summary>
public static class JobLocks
{
    /// <summary>The lock name of one unit of one job (hashed with hashtextextended(name, 0)).</summary>
    public static string Key(string job, string unit) => $"job:{job}:{unit}";

    public const string TryTransactionLockSql = "SELECT pg_try_advisory_xact_lock(hashtextextended(@key, 0))";

    public static Task<bool> TryTransactionLockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(TryTransactionLockSql, new { key }, transaction, cancellationToken: ct));
}

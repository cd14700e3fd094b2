using Npgsql;

namespace TravelFunctions.Data.Partitions;

/// <summary>
/// The session advisory lock that makes partition maintenance single-runner: held on a dedicated direct
/// connection (never through PgBouncer) for the whole run, released on unlock or when the connection dies
/// (a killed process never leaves it behind). Restore --attach takes it too, so it never races the job.
/// </summary>
public static class MaintenanceLock
{
    public const string Key = "maintenance.PartitionMaintenance";

    public static async Task<bool> TryAcquireAsync(NpgsqlConnection directConnection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@k, 0))", directConnection);
        cmd.Parameters.AddWithValue("k", Key);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task ReleaseAsync(NpgsqlConnection directConnection)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@k, 0))", directConnection);
        cmd.Parameters.AddWithValue("k", Key);
        await cmd.ExecuteScalarAsync(CancellationToken.None);
    }
}

using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// Holds RefreshReporting inside its unit on purpose: reporting.daily_booking_metrics reads bookings, so while a test's
/// transaction holds bookings exclusively, a refresh that has taken the unit's advisory lock waits for it.
/// </summary>
public static class BookingsLock
{
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Hold)> TakeAsync(TestDatabase database)
    {
        var admin = new NpgsqlConnection(database.Admin);
        await admin.OpenAsync();
        var hold = await admin.BeginTransactionAsync();
        await admin.ExecuteAsync("LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE", transaction: hold);
        return (admin, hold);
    }

    /// <summary>In the test's database: a granted advisory lock (the unit's) and a lock request on bookings that waits.</summary>
    public static async Task<bool> RefreshWaitsInsideItsUnitAsync(TestDatabase database)
    {
        await using var conn = new NpgsqlConnection(database.Admin);
        return await conn.ExecuteScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = d.oid)
               AND EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'public.bookings'::regclass AND NOT granted AND database = d.oid)
              FROM pg_database d WHERE d.datname = current_database()
            """);
    }
}

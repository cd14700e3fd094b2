using Dapper;
using Npgsql;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>Test rows written as the superuser (direct), so seeding never depends on the code under test.</summary>
public static class Seed
{
    public static async Task<Guid> UserAsync(NpgsqlConnection admin, DateTimeOffset? deletedAt = null)
    {
        var id = Guid.NewGuid();
        await admin.ExecuteAsync("""
            INSERT INTO users (id, email, password_hash, first_name, last_name, status, deleted_at)
            VALUES (@id, @email, 'x', 'Test', 'User', CASE WHEN @deletedAt::timestamptz IS NULL THEN 'active' ELSE 'deleted' END, @deletedAt)
            """, new { id, email = $"u{id:N}@example.test", deletedAt });
        return id;
    }

    public static async Task<Guid> TripAsync(NpgsqlConnection admin, Guid ownerId)
    {
        var id = Guid.NewGuid();
        await admin.ExecuteAsync("INSERT INTO trips (id, owner_id, title, trip_type, start_date, end_date) VALUES (@id, @ownerId, 'Trip', 'leisure', current_date + 30, current_date + 37)", new { id, ownerId });
        return id;
    }

    public static async Task<Guid> BookingAsync(NpgsqlConnection admin, Guid tripId, Guid? createdBy, decimal amount = 100m)
    {
        var id = Guid.NewGuid();
        await admin.ExecuteAsync("""
            INSERT INTO bookings (id, trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at)
            VALUES (@id, @tripId, @createdBy, 'hotel', upper(substr(md5(@id::text), 1, 8)), '{}', @amount, 'EUR', now() + interval '30 days')
            """, new { id, tripId, createdBy, amount });
        return id;
    }

    /// <summary>
    /// Search-cache rows: expired ones (expires_at 7 hours ago, so in an expiry bucket that has ended: 0009's buckets
    /// are 6 hours) and live ones (expiring in an hour). Makes the buckets they need first.
    /// </summary>
    public static async Task<List<byte[]>> CacheRowsAsync(NpgsqlConnection admin, string table, int count, bool expired)
    {
        var keys = new List<byte[]>();
        for (var i = 0; i < count; i++) keys.Add(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await admin.ExecuteAsync($$"""
            SELECT maintenance.ensure_expiry_partitions('public.{{table}}'::regclass, now() - interval '8 hours', now() + interval '2 hours');
            INSERT INTO {{table}} (cache_key, params, results, created_at, expires_at)
            SELECT k, '{}'::jsonb, '[]'::jsonb,
                   CASE WHEN @expired THEN now() - interval '8 hours' ELSE now() - interval '2 hours' END,
                   CASE WHEN @expired THEN now() - interval '7 hours' ELSE now() + interval '1 hour' END
              FROM unnest(@keys) AS k
            """, new { keys = keys.ToArray(), expired });
        return keys;
    }
}

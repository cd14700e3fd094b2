using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Security;

/// <summary>
/// Row-level security proven at the database: as the app role, through PgBouncer, with another
/// user's app.user_id, queries WITHOUT any WHERE clause return none of the first user's rows.
/// </summary>
public sealed class RowLevelSecurityTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly Guid _alice = Guid.NewGuid();
    private readonly Guid _bob = Guid.NewGuid();
    private readonly Guid _carol = Guid.NewGuid(); // accepted viewer of Alice's trip
    private readonly Guid _trip = Guid.NewGuid();
    private readonly Guid _conversation = Guid.NewGuid();
    private readonly Guid _booking = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        await admin.ExecuteAsync("""
            INSERT INTO users (id, email, password_hash, first_name, last_name) VALUES
              (@_alice, 'alice-' || @_alice || '@x.test', 'h', 'Alice', 'A'),
              (@_bob, 'bob-' || @_bob || '@x.test', 'h', 'Bob', 'B'),
              (@_carol, 'carol-' || @_carol || '@x.test', 'h', 'Carol', 'C');
            INSERT INTO user_profiles (user_id) VALUES (@_alice), (@_bob), (@_carol);
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at)
              VALUES (@_alice, gen_random_uuid(), sha256(convert_to(@_alice::text, 'UTF8')), now() + interval '1 day');
            INSERT INTO trips (id, owner_id, title, trip_type, start_date, end_date) VALUES (@_trip, @_alice, 'Secret', 'solo', '2027-01-01', '2027-01-02');
            INSERT INTO trip_destinations (trip_id, position, city, country) VALUES (@_trip, 0, 'Oslo', 'NO');
            INSERT INTO trip_collaborators (trip_id, user_id, role, status, accepted_at) VALUES (@_trip, @_carol, 'viewer', 'accepted', now());
            INSERT INTO bookings (id, trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at)
              VALUES (@_booking, @_trip, @_alice, 'activity', upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'NOK', now());
            INSERT INTO conversations (id, user_id, agent_type, title) VALUES (@_conversation, @_alice, 'support', 'Private chat');
            INSERT INTO chat_messages (conversation_id, user_id, role, content) VALUES (@_conversation, @_alice, 'user', 'my passport number is 123');
            INSERT INTO user_events (user_id, event_type, occurred_at) VALUES (@_alice, 'page.view', now());
            INSERT INTO notifications (user_id, kind, title) VALUES (@_alice, 'reminder', 'Pack');
            INSERT INTO agent_feedback (user_id, conversation_id, rating) VALUES (@_alice, @_conversation, 5);
            """, new { _alice, _bob, _carol, _trip, _conversation, _booking });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly string[] UserOwnedTables =
        ["users", "user_profiles", "refresh_sessions", "trips", "trip_destinations", "trip_collaborators", "bookings", "idempotency_keys",
         "conversations", "chat_messages", "user_events", "notifications", "agent_feedback"];

    [Fact]
    public async Task Another_user_sees_none_of_alices_rows_in_any_table_without_a_where_clause()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("SELECT set_config('app.user_id', @id, true)", new { id = _bob.ToString() }, tx);
        foreach (var table in UserOwnedTables)
        {
            var json = await conn.QuerySingleAsync<string>($"SELECT coalesce(json_agg(t)::text, '[]') FROM {table} t", transaction: tx);
            Assert.DoesNotContain(_alice.ToString(), json);
            Assert.DoesNotContain(_trip.ToString(), json);
            Assert.DoesNotContain(_conversation.ToString(), json);
        }
        // Writes are refused too: nothing to update, and an insert for Alice violates the policy.
        Assert.Equal(0, await conn.ExecuteAsync("UPDATE trips SET title = 'pwned'", transaction: tx));
        // Bookings change only through the owner functions (0012), which find nothing Bob may write.
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app.cancel_booking(@_booking)", new { _booking }, tx));
        var ex = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "INSERT INTO trips (owner_id, title, trip_type, start_date, end_date) VALUES (@_alice, 'x', 'solo', '2027-01-01', '2027-01-01')", new { _alice }, tx));
        Assert.Equal("42501", ex.SqlState);
    }

    [Fact]
    public async Task Without_app_user_id_the_app_role_sees_nothing()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        foreach (var table in UserOwnedTables)
            Assert.Equal(0L, await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}"));
    }

    [Fact]
    public async Task An_accepted_viewer_reads_the_trip_and_its_bookings_but_cannot_write()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("SELECT set_config('app.user_id', @id, true)", new { id = _carol.ToString() }, tx);
        Assert.Equal(1L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM trips", transaction: tx));
        Assert.Equal(1L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings", transaction: tx));
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM refresh_sessions", transaction: tx));
        Assert.Equal(0, await conn.ExecuteAsync("UPDATE trips SET title = 'viewer edit'", transaction: tx));
    }

    [Fact]
    public async Task The_app_role_is_not_owner_and_cannot_bypass_rls()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        var (super, bypass) = await conn.QuerySingleAsync<(bool, bool)>("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
        Assert.False(super);
        Assert.False(bypass);
        var owners = await conn.QueryAsync<string>("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = current_user
            """);
        Assert.Empty(owners);
    }

    [Fact]
    public async Task Every_table_with_a_user_or_trip_column_has_rls_enabled()
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        var unprotected = await conn.QueryAsync<string>("""
            SELECT DISTINCT c.relname
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('user_id', 'owner_id', 'trip_id') AND NOT a.attisdropped
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity AND NOT c.relispartition
               -- a service table written by agents under a service scope, not per user (0003_feeds.sql)
               AND c.relname <> 'external_api_logs'
            """);
        Assert.Empty(unprotected);
    }
}

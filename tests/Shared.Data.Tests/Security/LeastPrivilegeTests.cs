using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Security;

/// <summary>
/// The second lock on its own (sql/migrations/0012_least_privilege.sql): statements the API never sends, run as
/// travel_app through PgBouncer in a transaction opened the way the app opens one (app.begin_request for the
/// user), are refused by grants and policies alone. Each statement below succeeded before 0012. Every
/// transaction is rolled back, so the cases do not affect each other.
/// </summary>
public sealed class LeastPrivilegeTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly Guid _owner = Guid.NewGuid();      // owns _trip
    private readonly Guid _invitee = Guid.NewGuid();    // pending viewer of _trip
    private readonly Guid _editor = Guid.NewGuid();     // accepted editor of _trip, owns _editorTrip
    private readonly Guid _other = Guid.NewGuid();      // a stranger with a trip, a session, a chat and an API log
    private readonly Guid _newcomer = Guid.NewGuid();   // registering: no row yet
    private readonly Guid _trip = Guid.NewGuid();
    private readonly Guid _editorTrip = Guid.NewGuid();
    private readonly Guid _otherTrip = Guid.NewGuid();
    private readonly Guid _confirmedTrip = Guid.NewGuid(); // the owner's, with a confirmed booking
    private readonly Guid _pending = Guid.NewGuid();    // pending booking on _trip, cancellable, fee 5
    private readonly Guid _cancelled = Guid.NewGuid();  // cancelled booking on _trip
    private readonly Guid _conversation = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        await admin.ExecuteAsync("""
            INSERT INTO users (id, email, password_hash, first_name, last_name)
            SELECT u, 'u-' || u || '@x.test', 'h', 'First', 'Last' FROM unnest(ARRAY[@_owner, @_invitee, @_editor, @_other]::uuid[]) AS u;
            INSERT INTO user_profiles (user_id) VALUES (@_owner), (@_invitee), (@_editor), (@_other);
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at)
              VALUES (@_other, gen_random_uuid(), sha256(convert_to(@_other::text, 'UTF8')), now() + interval '1 day');
            INSERT INTO trips (id, owner_id, title, trip_type, start_date, end_date, currency) VALUES
              (@_trip, @_owner, 'Shared', 'family', '2027-01-01', '2027-01-10', 'EUR'),
              (@_editorTrip, @_editor, 'Mine', 'solo', '2027-02-01', '2027-02-02', 'EUR'),
              (@_otherTrip, @_other, 'Private', 'solo', '2027-03-01', '2027-03-02', 'EUR'),
              (@_confirmedTrip, @_owner, 'Booked', 'solo', '2027-04-01', '2027-04-02', 'EUR');
            INSERT INTO trip_destinations (trip_id, position, city, country) VALUES (@_trip, 0, 'Oslo', 'NO');
            INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by) VALUES (@_trip, @_invitee, 'viewer', @_owner);
            INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by, status, accepted_at) VALUES (@_trip, @_editor, 'editor', @_owner, 'accepted', now());
            INSERT INTO bookings (id, trip_id, created_by, booking_type, status, confirmation_code, details, total_amount, currency,
                                  cancellable, cancellation_fee, starts_at, confirmed_at, cancelled_at) VALUES
              (@_pending, @_trip, @_owner, 'activity', 'pending', upper(substr(md5(random()::text), 1, 8)), '{}', 100, 'EUR', true, 5, now(), NULL, NULL),
              (@_cancelled, @_trip, @_owner, 'activity', 'cancelled', upper(substr(md5(random()::text), 1, 8)), '{}', 40, 'EUR', true, NULL, now(), NULL, now()),
              (gen_random_uuid(), @_confirmedTrip, @_owner, 'hotel', 'confirmed', upper(substr(md5(random()::text), 1, 8)), '{}', 300, 'EUR', false, NULL, now(), now(), NULL);
            INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id) VALUES (@_editor, 'live-key', sha256('r'::bytea), @_pending);
            INSERT INTO conversations (id, user_id, agent_type) VALUES (@_conversation, @_other, 'support');
            INSERT INTO external_api_logs (user_id, provider, endpoint, method, duration_ms) VALUES (@_other, 'amadeus', '/v2/shopping', 'GET', 5);
            INSERT INTO flight_search_cache (cache_key, params, results, expires_at)
              VALUES (sha256(convert_to(@_other::text, 'UTF8')), '{}', '[]', now() + interval '1 day');
            INSERT INTO hotel_search_cache (cache_key, params, results, expires_at)
              VALUES (sha256(convert_to(@_other::text, 'UTF8')), '{}', '[]', now() + interval '1 day');
            """, new { _owner, _invitee, _editor, _other, _trip, _editorTrip, _otherTrip, _confirmedTrip, _pending, _cancelled, _conversation });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private object Ids => new
    {
        owner = _owner, invitee = _invitee, editor = _editor, other = _other, trip = _trip, editorTrip = _editorTrip,
        otherTrip = _otherTrip, confirmedTrip = _confirmedTrip, pending = _pending, cancelled = _cancelled, conversation = _conversation,
    };

    private Guid User(string who) => who switch
    {
        "owner" => _owner, "invitee" => _invitee, "editor" => _editor, "other" => _other, "newcomer" => _newcomer,
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    /// <summary>Runs one statement as travel_app for the user, as Db.AsUserAsync does, and rolls back. Rows affected.</summary>
    private async Task<int> AsUserAsync(string who, string sql)
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        try
        {
            // Sets app.user_id for the transaction (the registration path sets it the same way for a new id).
            await conn.ExecuteScalarAsync<bool>("SELECT app.begin_request(@user)", new { user = User(who) }, tx);
            return await conn.ExecuteAsync(sql, Ids, tx);
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }

    private async Task RefusedAsync(string who, string sql)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => AsUserAsync(who, sql));
        Assert.Equal("42501", ex.SqlState); // insufficient privilege or a row-level security WITH CHECK
    }

    // ---- Issue 13, item 10 ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("invitee", "UPDATE trip_collaborators SET role = 'editor' WHERE user_id = app.current_user_id()")]
    [InlineData("invitee", "UPDATE trip_collaborators SET trip_id = @otherTrip WHERE user_id = app.current_user_id()")]
    [InlineData("invitee", "UPDATE trip_collaborators SET status = 'accepted', accepted_at = now(), role = 'editor' WHERE user_id = app.current_user_id()")]
    [InlineData("invitee", "UPDATE trip_collaborators SET invited_by = app.current_user_id() WHERE user_id = app.current_user_id()")]
    [InlineData("invitee", "UPDATE trip_collaborators SET invited_at = now() - interval '1 year' WHERE user_id = app.current_user_id()")]
    [InlineData("invitee", "UPDATE trip_collaborators SET status = 'accepted', accepted_at = '2001-01-01Z' WHERE user_id = app.current_user_id()")]
    [InlineData("editor", "UPDATE trip_collaborators SET status = 'pending', accepted_at = NULL WHERE user_id = app.current_user_id()")]
    public Task An_invitee_can_only_accept(string who, string sql) => RefusedAsync(who, sql);

    [Theory]
    [InlineData("other", "UPDATE users SET email_verified = true WHERE id = app.current_user_id()")]
    [InlineData("other", "UPDATE users SET email = 'someone-else@x.test' WHERE id = app.current_user_id()")]
    [InlineData("other", "UPDATE users SET status = 'suspended' WHERE id = app.current_user_id()")]
    [InlineData("other", "UPDATE users SET status = 'deleted', deleted_at = now() WHERE id = app.current_user_id()")]
    [InlineData("other", "UPDATE users SET created_at = '2001-01-01Z' WHERE id = app.current_user_id()")]
    [InlineData("newcomer", "INSERT INTO users (id, email, password_hash, first_name, last_name, email_verified) VALUES (app.current_user_id(), 'new-' || app.current_user_id() || '@x.test', 'h', 'N', 'N', true)")]
    [InlineData("other", "DELETE FROM user_profiles WHERE user_id = app.current_user_id()")]
    [InlineData("other", "UPDATE user_profiles SET created_at = '2001-01-01Z' WHERE user_id = app.current_user_id()")]
    [InlineData("other", "UPDATE refresh_sessions SET expires_at = now() + interval '100 years' WHERE user_id = app.current_user_id()")]
    [InlineData("other", "UPDATE refresh_sessions SET token_hash = sha256('chosen'::bytea) WHERE user_id = app.current_user_id()")]
    public Task A_user_cannot_write_account_columns_the_api_never_writes(string who, string sql) => RefusedAsync(who, sql);

    [Theory]
    [InlineData("INSERT INTO bookings (trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at) VALUES (@trip, @owner, 'activity', upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'EUR', now())")]
    [InlineData("INSERT INTO bookings (trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at) VALUES (@trip, NULL, 'activity', upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'EUR', now())")]
    [InlineData("INSERT INTO bookings (trip_id, created_by, booking_type, status, confirmed_at, confirmation_code, details, total_amount, currency, starts_at) VALUES (@trip, app.current_user_id(), 'activity', 'confirmed', now(), upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'EUR', now())")]
    [InlineData("INSERT INTO bookings (trip_id, created_by, booking_type, status, cancelled_at, cancellation_fee_charged, confirmation_code, details, total_amount, currency, starts_at) VALUES (@trip, app.current_user_id(), 'activity', 'cancelled', now(), 0, upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'EUR', now())")]
    [InlineData("INSERT INTO bookings (trip_id, created_by, booking_type, created_at, confirmation_code, details, total_amount, currency, starts_at) VALUES (@trip, app.current_user_id(), 'activity', '2001-01-01Z', upper(substr(md5(random()::text), 1, 8)), '{}', 10, 'EUR', now())")]
    public Task A_booking_is_created_pending_by_the_current_user(string sql) => RefusedAsync("editor", sql);

    // ---- Found by the audit (docs/security.md) -----------------------------------------------------------------

    [Theory]
    [InlineData("editor", "UPDATE bookings SET total_amount = 6 WHERE id = @pending")]
    [InlineData("editor", "UPDATE bookings SET trip_id = @editorTrip WHERE id = @pending")]
    [InlineData("editor", "UPDATE bookings SET created_by = app.current_user_id() WHERE id = @pending")]
    [InlineData("editor", "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancellation_fee_charged = 0 WHERE id = @pending")]
    [InlineData("owner", "UPDATE bookings SET status = 'pending', cancelled_at = NULL, cancellation_fee_charged = NULL WHERE id = @cancelled")]
    public Task Bookings_change_only_through_the_confirm_and_cancel_functions(string who, string sql) => RefusedAsync(who, sql);

    [Theory]
    [InlineData("owner", "INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by, status, accepted_at) VALUES (@trip, @other, 'editor', @owner, 'accepted', now())")]
    [InlineData("owner", "INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by) VALUES (@trip, @other, 'viewer', @other)")]
    [InlineData("owner", "UPDATE trip_collaborators SET role = 'editor' WHERE user_id = @invitee")]
    [InlineData("editor", "UPDATE trip_destinations SET city = 'Elsewhere' WHERE trip_id = @trip")]
    [InlineData("other", "INSERT INTO trips (owner_id, title, trip_type, start_date, end_date, currency, spent_amount) VALUES (app.current_user_id(), 'x', 'solo', '2027-01-01', '2027-01-02', 'EUR', 1000)")]
    [InlineData("other", "INSERT INTO trips (owner_id, title, trip_type, start_date, end_date, version) VALUES (app.current_user_id(), 'x', 'solo', '2027-01-01', '2027-01-02', 99)")]
    public Task Trips_and_sharing_accept_only_what_the_api_writes(string who, string sql) => RefusedAsync(who, sql);

    [Theory]
    [InlineData("other", "SELECT count(*) FROM external_api_logs")]
    [InlineData("other", "INSERT INTO chat_messages (conversation_id, user_id, role, content, created_at) VALUES (@conversation, app.current_user_id(), 'user', 'x', '2100-01-01Z')")]
    [InlineData("other", "INSERT INTO user_events (user_id, event_type, received_at) VALUES (app.current_user_id(), 'page.view', '2001-01-01Z')")]
    [InlineData("other", "INSERT INTO conversations (user_id, agent_type, status, close_reason, closed_at) VALUES (app.current_user_id(), 'support', 'escalated', 'x', now())")]
    [InlineData("other", "UPDATE conversations SET title = 'renamed' WHERE id = @conversation")]
    [InlineData("other", "INSERT INTO notifications (user_id, kind, title) VALUES (app.current_user_id(), 'security', 'Your account is locked: sign in at evil.example')")]
    [InlineData("other", "INSERT INTO agent_feedback (user_id, rating) VALUES (app.current_user_id(), 1)")]
    [InlineData("other", "INSERT INTO flight_search_cache (cache_key, params, results, expires_at) VALUES (sha256('poison'::bytea), '{}', '[]', now() + interval '1 day')")]
    [InlineData("other", "INSERT INTO search_cache_hits (cache_kind, cache_key) VALUES ('flight', sha256('poison'::bytea))")]
    public Task Feeds_and_service_tables_refuse_user_context_writes_the_api_never_makes(string who, string sql) => RefusedAsync(who, sql);

    /// <summary>Refused by a policy's USING: no error, no row touched (each touched a row before 0012).</summary>
    [Theory]
    [InlineData("owner", "UPDATE trip_collaborators SET status = 'accepted', accepted_at = now() WHERE user_id = @invitee")]
    [InlineData("editor", "DELETE FROM idempotency_keys WHERE user_id = app.current_user_id()")]
    [InlineData("owner", "DELETE FROM trips WHERE id = @confirmedTrip")]
    [InlineData("other", "UPDATE flight_search_cache SET results = '[]'")]
    [InlineData("other", "UPDATE hotel_search_cache SET expires_at = now() + interval '10 years'")]
    public async Task Rows_outside_a_policy_are_not_touched(string who, string sql) =>
        Assert.Equal(0, await AsUserAsync(who, sql));

    [Fact]
    public async Task A_user_request_sees_no_search_cache_rows()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteScalarAsync<bool>("SELECT app.begin_request(@_other)", new { _other }, tx);
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("SELECT (SELECT count(*) FROM flight_search_cache) + (SELECT count(*) FROM hotel_search_cache)", transaction: tx));
    }

    [Theory]
    [InlineData("SELECT password_hash FROM users")]
    [InlineData("SELECT email, first_name, last_name FROM users")]
    [InlineData("SELECT token_hash FROM refresh_sessions")]
    [InlineData("SELECT content FROM chat_messages")]
    [InlineData("SELECT data FROM user_events")]
    [InlineData("SELECT request, response FROM external_api_logs")]
    [InlineData("SELECT details FROM bookings")]
    [InlineData("DELETE FROM trips")]
    [InlineData("DELETE FROM notifications")]
    [InlineData("UPDATE maintenance.partition_archives SET state = 'failed'")]
    public async Task Maintenance_reads_and_deletes_only_what_its_jobs_need(string sql)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => AsMaintenanceAsync(sql));
        Assert.Equal("42501", ex.SqlState);
    }

    [Fact]
    public async Task Maintenance_deletes_only_soft_deleted_accounts() =>
        Assert.Equal(0, await AsMaintenanceAsync("DELETE FROM users WHERE id = @other"));

    /// <summary>One statement as travel_maintenance through PgBouncer, rolled back. Rows affected.</summary>
    private async Task<int> AsMaintenanceAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(db.Maintenance);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        try
        {
            return await conn.ExecuteAsync(sql, Ids, tx);
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }

    // ---- What the API does still works ----------------------------------------------------------------------------

    [Fact]
    public async Task The_api_writes_still_work_under_the_new_grants()
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();

        async Task<T> As<T>(Guid user, Func<NpgsqlTransaction, Task<T>> work)
        {
            await using var tx = await conn.BeginTransactionAsync();
            Assert.True(await conn.ExecuteScalarAsync<bool>("SELECT app.begin_request(@user)", new { user }, tx));
            var result = await work(tx);
            await tx.CommitAsync();
            return result;
        }

        // The invitee accepts (CollaboratorStore.AcceptAsync); accepting again reads the accepted row.
        Assert.Equal(1, await As(_invitee, async tx =>
        {
            Assert.Equal("pending", await conn.QuerySingleAsync<string>(
                "SELECT status FROM trip_collaborators WHERE trip_id = @_trip AND user_id = app.current_user_id() FOR UPDATE", new { _trip }, tx));
            return await conn.ExecuteAsync(
                "UPDATE trip_collaborators SET status = 'accepted', accepted_at = now() WHERE trip_id = @_trip AND user_id = app.current_user_id()", new { _trip }, tx);
        }));
        Assert.Equal("accepted", await As(_invitee, tx => conn.QuerySingleAsync<string>(
            "SELECT status FROM trip_collaborators WHERE trip_id = @_trip AND user_id = app.current_user_id() FOR UPDATE", new { _trip }, tx)));

        // The owner invites (InviteAsync).
        Assert.Equal(1, await As(_owner, tx => conn.ExecuteAsync("""
            INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by) VALUES (@_trip, @_other, 'viewer', app.current_user_id())
            ON CONFLICT (trip_id, user_id) DO NOTHING
            """, new { _trip, _other }, tx)));

        // The editor books (BookingStore.CreateAsync), confirms, and cancels another booking, paying its fee.
        var created = await As(_editor, tx => conn.QuerySingleAsync<(Guid Id, string Status)>("""
            INSERT INTO bookings AS b (trip_id, created_by, booking_type, confirmation_code, supplier_name, details,
                total_amount, currency, cancellable, cancellation_deadline, cancellation_fee, starts_at, ends_at)
            VALUES (@_trip, app.current_user_id(), 'activity', upper(substr(md5(random()::text), 1, 8)), 'Museum', '{}'::jsonb,
                20, 'EUR', true, NULL, NULL, now(), NULL)
            RETURNING b.id, b.status
            """, new { _trip }, tx));
        Assert.Equal("pending", created.Status);
        Assert.Equal("confirmed", await As(_editor, tx => conn.QuerySingleAsync<string>(
            "SELECT b.status FROM app.confirm_booking(@id, 'SUP-1') AS b", new { id = created.Id }, tx)));
        Assert.Equal(5m, await As(_editor, tx => conn.QuerySingleAsync<decimal>(
            "SELECT b.cancellation_fee_charged FROM app.cancel_booking(@_pending) AS b", new { _pending }, tx)));
        // A second cancel changes nothing; a stranger can neither confirm nor cancel.
        Assert.Equal(0L, await As(_editor, tx => conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app.cancel_booking(@_pending)", new { _pending }, tx)));
        Assert.Equal(0L, await As(_other, tx => conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app.cancel_booking(@id)", new { id = created.Id }, tx)));

        // The export reads only the user's own API logs.
        Assert.Equal(1L, await As(_other, tx => conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app.own_external_api_logs()", transaction: tx)));
        Assert.Equal(0L, await As(_editor, tx => conn.ExecuteScalarAsync<long>("SELECT count(*) FROM app.own_external_api_logs()", transaction: tx)));

        // Soft delete (UserStore.SoftDeleteAsync) anonymizes through the owner function.
        Assert.True(await As(_other, tx => conn.ExecuteScalarAsync<bool>("SELECT app.soft_delete_current_user()", transaction: tx)));
        await using var admin = new NpgsqlConnection(db.Admin);
        Assert.Equal("deleted|Deleted|f|0", await admin.QuerySingleAsync<string>("""
            SELECT concat_ws('|', u.status, u.first_name, u.email_verified,
                             (SELECT count(*) FROM refresh_sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL))
              FROM users u WHERE u.id = @_other
            """, new { _other }));
    }
}

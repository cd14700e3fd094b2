using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Security;

/// <summary>
/// 0018's itinerary tables on their own, as travel_app through PgBouncer in a transaction opened as the app opens one
/// (app.begin_request): column grants keep derived columns (revision, trip and version of an item) out of reach, the
/// policies give readers of the trip reads and its writers writes, and everyone else sees and touches nothing. Every
/// transaction is rolled back.
/// </summary>
public sealed class ItineraryPrivilegeTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly Guid _owner = Guid.NewGuid();
    private readonly Guid _viewer = Guid.NewGuid();   // accepted viewer of _trip
    private readonly Guid _other = Guid.NewGuid();    // a stranger with a trip of their own
    private readonly Guid _trip = Guid.NewGuid();
    private readonly Guid _otherTrip = Guid.NewGuid();
    private readonly Guid _version = Guid.NewGuid();
    private readonly Guid _day = Guid.NewGuid();
    private readonly Guid _item = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        await admin.ExecuteAsync("""
            INSERT INTO users (id, email, password_hash, first_name, last_name)
            SELECT u, 'u-' || u || '@x.test', 'h', 'First', 'Last' FROM unnest(ARRAY[@owner, @viewer, @other]::uuid[]) AS u;
            INSERT INTO trips (id, owner_id, title, trip_type, start_date, end_date) VALUES
              (@trip, @owner, 'Shared', 'family', '2027-01-01', '2027-01-10'),
              (@otherTrip, @other, 'Private', 'solo', '2027-01-01', '2027-01-10');
            INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by, status, accepted_at) VALUES (@trip, @viewer, 'viewer', @owner, 'accepted', now());
            INSERT INTO itinerary_versions (id, trip_id, number, generated_by, is_selected, created_by) VALUES (@version, @trip, 1, 'manual', true, @owner);
            INSERT INTO itinerary_days (id, version_id, trip_id, day_number, date) VALUES (@day, @version, @trip, 1, '2027-01-01');
            INSERT INTO itinerary_items (id, day_id, version_id, trip_id, position, item_type, title) VALUES (@item, @day, @version, @trip, 1, 'meal', 'Lunch');
            """, Ids);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private object Ids => new { owner = _owner, viewer = _viewer, other = _other, trip = _trip, otherTrip = _otherTrip, version = _version, day = _day, item = _item };

    private async Task<T> AsUserAsync<T>(Guid user, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var conn = new NpgsqlConnection(db.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        try
        {
            await conn.ExecuteScalarAsync<bool>("SELECT app.begin_request(@user)", new { user }, tx);
            return await work(conn, tx);
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }

    private Guid Who(string who) => who switch { "owner" => _owner, "viewer" => _viewer, "other" => _other, _ => throw new ArgumentOutOfRangeException(nameof(who)) };

    [Theory]
    [InlineData("owner", "UPDATE itinerary_versions SET revision = 99 WHERE id = @version")]
    [InlineData("owner", "UPDATE itinerary_versions SET trip_id = @otherTrip WHERE id = @version")]
    [InlineData("owner", "UPDATE itinerary_items SET trip_id = @otherTrip WHERE id = @item")]
    [InlineData("owner", "UPDATE itinerary_items SET version_id = gen_random_uuid() WHERE id = @item")]
    [InlineData("owner", "UPDATE itinerary_items SET created_at = now() - interval '1 year' WHERE id = @item")]
    [InlineData("owner", "UPDATE itinerary_days SET date = '2027-01-02' WHERE id = @day")]
    [InlineData("owner", "DELETE FROM itinerary_days WHERE id = @day")]
    [InlineData("owner", "INSERT INTO itinerary_versions (trip_id, number, generated_by, created_by) VALUES (@trip, 2, 'manual', @viewer)")]
    [InlineData("owner", "INSERT INTO itinerary_versions (trip_id, number, generated_by, created_by, revision) VALUES (@trip, 2, 'manual', @owner, 50)")]
    [InlineData("viewer", "INSERT INTO itinerary_items (day_id, version_id, trip_id, position, item_type, title) VALUES (@day, @version, @trip, 2, 'meal', 'Sneaked in')")]
    [InlineData("viewer", "INSERT INTO itinerary_days (version_id, trip_id, day_number, date) VALUES (@version, @trip, 2, '2027-01-02')")]
    [InlineData("other", "INSERT INTO itinerary_versions (trip_id, number, generated_by, created_by) VALUES (@trip, 2, 'manual', @other)")]
    public async Task Writes_the_api_never_makes_are_refused(string who, string sql)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => AsUserAsync(Who(who), (c, tx) => c.ExecuteAsync(sql, Ids, tx)));
        Assert.Equal("42501", ex.SqlState);
    }

    [Theory]
    [InlineData("viewer", "UPDATE itinerary_items SET title = 'Changed' WHERE id = @item")]
    [InlineData("viewer", "DELETE FROM itinerary_items WHERE id = @item")]
    [InlineData("viewer", "UPDATE itinerary_versions SET is_selected = false WHERE id = @version")]
    [InlineData("viewer", "DELETE FROM itinerary_versions WHERE id = @version")]
    [InlineData("other", "UPDATE itinerary_items SET title = 'Changed' WHERE id = @item")]
    [InlineData("other", "DELETE FROM itinerary_items WHERE id = @item")]
    [InlineData("other", "DELETE FROM itinerary_versions WHERE id = @version")]
    public async Task Rows_of_trips_one_cannot_write_are_not_touched(string who, string sql) =>
        Assert.Equal(0, await AsUserAsync(Who(who), (c, tx) => c.ExecuteAsync(sql, Ids, tx)));

    [Fact]
    public async Task Readers_of_the_trip_see_its_itinerary_and_others_see_nothing()
    {
        const string count = """
            SELECT (SELECT count(*) FROM itinerary_versions) + (SELECT count(*) FROM itinerary_days) + (SELECT count(*) FROM itinerary_items)
            """;
        Assert.Equal(3L, await AsUserAsync(_owner, (c, tx) => c.ExecuteScalarAsync<long>(count, transaction: tx)));
        Assert.Equal(3L, await AsUserAsync(_viewer, (c, tx) => c.ExecuteScalarAsync<long>(count, transaction: tx)));
        Assert.Equal(0L, await AsUserAsync(_other, (c, tx) => c.ExecuteScalarAsync<long>(count, transaction: tx)));
        // The owner may write what the API writes.
        Assert.Equal(1, await AsUserAsync(_owner, (c, tx) => c.ExecuteAsync("UPDATE itinerary_items SET title = 'Dinner' WHERE id = @item", Ids, tx)));
    }
}

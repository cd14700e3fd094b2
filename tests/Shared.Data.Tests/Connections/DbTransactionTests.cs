using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Connections;

/// <summary>How <see cref="Db"/> ends a unit of work, through PgBouncer as the app role.</summary>
public sealed class DbTransactionTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private async Task<Guid> NewUserAsync()
    {
        var id = Guid.NewGuid();
        await using var admin = new NpgsqlConnection(db.Admin);
        await admin.ExecuteAsync("INSERT INTO users (id, email, password_hash, first_name, last_name) VALUES (@id, @id || '@x.test', 'h', 'T', 'U')",
            new { id });
        return id;
    }

    private async Task<long> EventCountAsync(Guid userId)
    {
        await using var admin = new NpgsqlConnection(db.Admin);
        return await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM user_events WHERE user_id = @userId", new { userId });
    }

    private const string InsertEvent = "INSERT INTO user_events (user_id, event_type) VALUES (app.current_user_id(), 'probe')";

    [Fact]
    public async Task Work_that_returns_is_committed()
    {
        var user = await NewUserAsync();
        await using var sources = new TravelDataSources(db.Pooled, null);
        var result = await new Db(sources).AsUserAsync(user, tx => tx.ExecuteAsync(InsertEvent), CancellationToken.None);
        Assert.Equal(1, result);
        Assert.Equal(1L, await EventCountAsync(user));
    }

    [Fact]
    public async Task Work_that_asks_for_a_rollback_returns_its_result_and_writes_nothing()
    {
        var user = await NewUserAsync();
        await using var sources = new TravelDataSources(db.Pooled, null);
        var dbAccess = new Db(sources);
        var result = await dbAccess.AsUserAsync(user, async tx =>
        {
            var written = await tx.ExecuteAsync(InsertEvent);
            tx.RollbackWhenDone();
            return written;
        }, CancellationToken.None);
        Assert.Equal(1, result);
        Assert.Equal(0L, await EventCountAsync(user));

        // The pooled connection is clean afterwards: the next unit of work commits as usual.
        await dbAccess.AsUserAsync(user, tx => tx.ExecuteAsync(InsertEvent), CancellationToken.None);
        Assert.Equal(1L, await EventCountAsync(user));
    }
}

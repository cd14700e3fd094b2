using Dapper;
using Npgsql;
using Polly;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// Runs units of work in short transactions on the pooled endpoint. <see cref="AsUserAsync{T}"/> sets
/// app.user_id (transaction-local, so row-level security applies and PgBouncer can hand the server
/// connection to someone else after COMMIT). Transient failures before COMMIT are retried with
/// jittered backoff; a failure during COMMIT is never retried (its outcome is unknown).
/// </summary>
public sealed class Db(TravelDataSources sources)
{
    private static readonly ResiliencePipeline Retry = TransientFailures.CreateRetryPipeline();

    public NpgsqlDataSource DataSource => sources.Pooled;

    /// <summary>Work as an authenticated user. Throws <see cref="AccountInactiveException"/> when the account is no longer active.</summary>
    public Task<T> AsUserAsync<T>(Guid userId, Func<DbTx, Task<T>> work, CancellationToken ct) =>
        RunAsync(userId, async tx =>
        {
            var active = await tx.ExecuteScalarAsync<bool>("SELECT app.begin_request(@userId)", new { userId });
            if (!active) throw new AccountInactiveException();
            return await work(tx);
        }, ct);

    /// <summary>
    /// Work as an authenticated user whose first statement goes in the same round trip as app.begin_request (and the
    /// BEGIN Npgsql sends ahead of them): a write of one statement then costs two round trips (that batch, COMMIT)
    /// instead of three. <paramref name="read"/> takes the statement's results; <paramref name="then"/> may run more
    /// statements in the same transaction. An inactive account throws <see cref="AccountInactiveException"/> before
    /// COMMIT, so what the statement wrote is rolled back.
    /// </summary>
    public Task<T> AsUserAsync<TFirst, T>(Guid userId, string sql, object args, Func<SqlMapper.GridReader, Task<TFirst>> read,
        Func<TFirst, DbTx, Task<T>> then, CancellationToken ct) =>
        RunAsync(userId, async tx =>
        {
            var parameters = new DynamicParameters(args);
            parameters.Add("__requestUserId", userId);
            TFirst first;
            await using (var grid = await tx.Connection.QueryMultipleAsync(new CommandDefinition(
                "SELECT app.begin_request(@__requestUserId);\n" + sql, parameters, tx.Transaction, cancellationToken: tx.CancellationToken)))
            {
                if (!await grid.ReadSingleAsync<bool>()) throw new AccountInactiveException();
                first = await read(grid);
            }
            return await then(first, tx);
        }, ct);

    /// <summary>
    /// A read as an authenticated user in ONE round trip: app.begin_request and the given SELECTs go as
    /// one batch with no explicit BEGIN/COMMIT. PostgreSQL runs a batch up to its Sync as one implicit
    /// transaction, so the transaction-local app.user_id covers the SELECTs (and PgBouncer holds the
    /// server connection for exactly that batch). Reads only: retried on transient failures.
    /// </summary>
    public Task<T> ReadAsUserAsync<T>(Guid userId, string sql, object args, Func<SqlMapper.GridReader, Task<T>> read, CancellationToken ct) =>
        RetryAsync(async token =>
        {
            await using var conn = await sources.Pooled.OpenConnectionAsync(token);
            var parameters = new DynamicParameters(args);
            parameters.Add("__requestUserId", userId);
            await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(
                "SELECT app.begin_request(@__requestUserId);\n" + sql, parameters, cancellationToken: token));
            if (!await grid.ReadSingleAsync<bool>()) throw new AccountInactiveException();
            return await read(grid);
        }, ct);

    /// <summary>
    /// A read of public data (no app.user_id, no RLS involved) in one round trip, without BEGIN/COMMIT: one
    /// statement is its own implicit transaction. Retried on transient failures.
    /// </summary>
    public Task<T> ReadPublicAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken ct) =>
        RetryAsync(async token =>
        {
            await using var conn = await sources.Pooled.OpenConnectionAsync(token);
            return await read(conn, token);
        }, ct);

    /// <summary>Work before a user is authenticated (register, login, refresh). actAs sets app.user_id without the activity check.</summary>
    public Task<T> AnonymousAsync<T>(Func<DbTx, Task<T>> work, CancellationToken ct, Guid? actAs = null) =>
        RunAsync(actAs, async tx =>
        {
            if (actAs is { } id)
                await tx.ExecuteAsync("SELECT set_config('app.user_id', @id, true)", new { id = id.ToString() });
            return await work(tx);
        }, ct);

    private Task<T> RunAsync<T>(Guid? userId, Func<DbTx, Task<T>> work, CancellationToken ct) =>
        RetryAsync(async token =>
        {
            await using var conn = await sources.Pooled.OpenConnectionAsync(token);
            await using var transaction = await conn.BeginTransactionAsync(token);
            var tx = new DbTx(conn, transaction, userId, token);
            var result = await work(tx);
            if (tx.RollbackRequested)
            {
                await transaction.RollbackAsync(token);
                return result;
            }
            try
            {
                await transaction.CommitAsync(token);
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                throw new CommitOutcomeUnknownException(ex);
            }
            return result;
        }, ct);

    /// <summary>Retries transient failures; when they persist, the database is reported unavailable (503).</summary>
    private static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        try
        {
            return await Retry.ExecuteAsync(async token => await attempt(token), ct);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            throw new DatabaseUnavailableException(ex);
        }
    }
}

/// <summary>The token's user is deleted or suspended: treat as unauthenticated.</summary>
public sealed class AccountInactiveException() : Exception("The account is not active.");

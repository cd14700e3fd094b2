using Dapper;
using Npgsql;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// One open transaction on the pooled endpoint, with short Dapper helpers that always pass the
/// transaction and the cancellation token. Every statement is parameterized.
/// </summary>
public sealed class DbTx(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid? userId, CancellationToken ct)
{
    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;
    /// <summary>The user this transaction acts as (app.user_id), when there is one.</summary>
    public Guid? UserId { get; } = userId;
    public CancellationToken CancellationToken { get; } = ct;

    /// <summary>
    /// When the work returns, end with ROLLBACK instead of COMMIT: for work that writes first and learns
    /// afterwards that the request must not stand (it reports the reason as its result, not as an error).
    /// </summary>
    public void RollbackWhenDone() => RollbackRequested = true;
    internal bool RollbackRequested { get; private set; }

    private CommandDefinition Command(string sql, object? args) =>
        new(sql, args, Transaction, cancellationToken: CancellationToken);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args = null) => Connection.QueryAsync<T>(Command(sql, args));
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args = null) => Connection.QuerySingleOrDefaultAsync<T>(Command(sql, args));
    public Task<T> QuerySingleAsync<T>(string sql, object? args = null) => Connection.QuerySingleAsync<T>(Command(sql, args));
    public Task<T?> ExecuteScalarAsync<T>(string sql, object? args = null) => Connection.ExecuteScalarAsync<T>(Command(sql, args));
    public Task<int> ExecuteAsync(string sql, object? args = null) => Connection.ExecuteAsync(Command(sql, args));
}

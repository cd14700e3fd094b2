using Npgsql;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// One NpgsqlDataSource per connection string per process (DESIGN §4), each created on first use, so
/// commands that never touch the database (emit-functions) need no connection settings.
/// </summary>
public sealed class TravelDataSources(string? pooledConnectionString, string? directConnectionString) : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _pooled = new(() => NpgsqlDataSource.Create(ConnectionStrings.ForPooledEndpoint(
        pooledConnectionString ?? throw new InvalidOperationException("Setting TravelDb (the pooled connection string) is missing."))));

    private readonly Lazy<NpgsqlDataSource> _direct = new(() => NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(
        directConnectionString ?? throw new InvalidOperationException("Setting TravelDbDirect (the direct connection string) is missing."))));

    /// <summary>The pooled endpoint (PgBouncer, transaction mode): all request traffic.</summary>
    public NpgsqlDataSource Pooled => _pooled.Value;

    /// <summary>The direct endpoint: DDL, COPY-heavy work, session locks.</summary>
    public NpgsqlDataSource Direct => _direct.Value;

    public async ValueTask DisposeAsync()
    {
        if (_pooled.IsValueCreated) await _pooled.Value.DisposeAsync();
        if (_direct.IsValueCreated) await _direct.Value.DisposeAsync();
    }
}

using Npgsql;

namespace TravelFunctions.Data.Connections;

/// <summary>One NpgsqlDataSource per connection string per process (DESIGN §4).</summary>
public sealed class TravelDataSources : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _direct;

    public TravelDataSources(string pooledConnectionString, string? directConnectionString)
    {
        Pooled = NpgsqlDataSource.Create(ConnectionStrings.ForPooledEndpoint(pooledConnectionString));
        _direct = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(ConnectionStrings.ForDirectEndpoint(
            directConnectionString ?? throw new InvalidOperationException("TravelDbDirect is not configured."))));
    }

    /// <summary>The pooled endpoint (PgBouncer, transaction mode): all request traffic.</summary>
    public NpgsqlDataSource Pooled { get; }

    /// <summary>The direct endpoint: DDL, COPY-heavy work, session locks. Created on first use.</summary>
    public NpgsqlDataSource Direct => _direct.Value;

    public async ValueTask DisposeAsync()
    {
        await Pooled.DisposeAsync();
        if (_direct.IsValueCreated) await _direct.Value.DisposeAsync();
    }
}

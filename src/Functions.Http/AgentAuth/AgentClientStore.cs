using TravelFunctions.Data.Connections;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>Scopes: space-separated, as the token's scope claim carries them.</summary>
public sealed record AgentClientRow(Guid ClientId, string Name, byte[] SecretSha256, string Scopes, DateTimeOffset? DisabledAt);

/// <summary>
/// Reads agent clients (table agent_clients, migration 0007). Clients are provisioned by ops as travel_owner
/// (maintenance.create_agent_client); the API only reads them. No app.user_id: an agent is not a user.
/// </summary>
public sealed class AgentClientStore(Db db)
{
    public Task<AgentClientRow?> FindAsync(Guid clientId, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.QuerySingleOrDefaultAsync<AgentClientRow>(
            "SELECT client_id, name, secret_sha256, array_to_string(scopes, ' ') AS scopes, disabled_at FROM agent_clients WHERE client_id = @clientId",
            new { clientId }), ct);
}

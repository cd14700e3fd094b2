using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.ProviderKeys;

/// <summary>
/// Travellers' provider keys, their grants to agent clients and the record of every use. Keys are sealed here before
/// they reach the database and opened only for an agent's use (app.use_provider_key); the API's role cannot even
/// select the sealed columns.
/// </summary>
public sealed class ProviderKeyStore(Db db, ProviderKeyCipher cipher, TimeProvider clock)
{
    private const string KeyColumns = "id, service, label, last_four, created_at, last_used_at";

    public Task<IReadOnlyList<ProviderServiceRow>> ServicesAsync(CancellationToken ct) =>
        db.AnonymousAsync<IReadOnlyList<ProviderServiceRow>>(async tx =>
            (await tx.QueryAsync<ProviderServiceRow>("SELECT name, display_name FROM provider_key_services ORDER BY name")).ToList(), ct);

    public Task<KeyCreation> AddAsync(Guid userId, string service, string label, string secret, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var sealedKey = cipher.Seal(id, userId, service, secret);
        return db.AsUserAsync<KeyCreation>(userId, async tx =>
        {
            if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM provider_key_services WHERE name = @service)", new { service }))
                return new KeyCreation.UnknownService();
            var row = await tx.QuerySingleOrDefaultAsync<ProviderKeyRow>($"""
                INSERT INTO provider_keys (id, user_id, service, label, last_four, secret_sealed, data_key_wrapped, kek_id)
                VALUES (@id, app.current_user_id(), @service, @label, @lastFour, @SecretSealed, @DataKeyWrapped, @KekId)
                ON CONFLICT (user_id, service, label) DO NOTHING
                RETURNING {KeyColumns}
                """, new { id, service, label, lastFour = secret[^4..], sealedKey.SecretSealed, sealedKey.DataKeyWrapped, sealedKey.KekId });
            return row is null ? new KeyCreation.Duplicate() : new KeyCreation.Created(row);
        }, ct);
    }

    public Task<IReadOnlyList<ProviderKeyRow>> ListAsync(Guid userId, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<ProviderKeyRow>>(userId, async tx => (await tx.QueryAsync<ProviderKeyRow>(
            $"SELECT {KeyColumns} FROM provider_keys WHERE user_id = app.current_user_id() ORDER BY service, label")).ToList(), ct);

    /// <summary>Deleted at once: the sealed key is gone, no agent can use it from the next statement on.</summary>
    public Task<bool> DeleteAsync(Guid userId, Guid keyId, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx => await tx.ExecuteAsync(
            "DELETE FROM provider_keys WHERE id = @keyId AND user_id = app.current_user_id()", new { keyId }) == 1, ct);

    public Task<GrantCreation> GrantAsync(Guid userId, Guid agentClientId, string service, CancellationToken ct) =>
        db.AsUserAsync<GrantCreation>(userId, async tx =>
        {
            var known = await tx.QuerySingleAsync<(bool Agent, bool Service)>("""
                SELECT EXISTS (SELECT 1 FROM agent_clients WHERE client_id = @agentClientId AND disabled_at IS NULL),
                       EXISTS (SELECT 1 FROM provider_key_services WHERE name = @service)
                """, new { agentClientId, service });
            if (!known.Agent) return new GrantCreation.UnknownAgent();
            if (!known.Service) return new GrantCreation.UnknownService();
            var created = await tx.QuerySingleOrDefaultAsync<ProviderKeyGrantRow>("""
                INSERT INTO provider_key_grants (user_id, agent_client_id, service) VALUES (app.current_user_id(), @agentClientId, @service)
                ON CONFLICT DO NOTHING
                RETURNING agent_client_id, service, created_at
                """, new { agentClientId, service });
            if (created is not null) return new GrantCreation.Created(created);
            return new GrantCreation.AlreadyGranted(await tx.QuerySingleAsync<ProviderKeyGrantRow>("""
                SELECT agent_client_id, service, created_at FROM provider_key_grants
                 WHERE user_id = app.current_user_id() AND agent_client_id = @agentClientId AND service = @service
                """, new { agentClientId, service }));
        }, ct);

    public Task<IReadOnlyList<ProviderKeyGrantRow>> GrantsAsync(Guid userId, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<ProviderKeyGrantRow>>(userId, async tx => (await tx.QueryAsync<ProviderKeyGrantRow>("""
            SELECT agent_client_id, service, created_at FROM provider_key_grants
             WHERE user_id = app.current_user_id() ORDER BY service, agent_client_id
            """)).ToList(), ct);

    public Task<bool> RevokeAsync(Guid userId, Guid agentClientId, string service, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx => await tx.ExecuteAsync("""
            DELETE FROM provider_key_grants
             WHERE user_id = app.current_user_id() AND agent_client_id = @agentClientId AND service = @service
            """, new { agentClientId, service }) == 1, ct);

    /// <summary>Every use of the traveller's keys by agents, newest first.</summary>
    public Task<IReadOnlyList<ProviderKeyUseRow>> UsesAsync(Guid userId, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<ProviderKeyUseRow>>(userId, async tx => (await tx.QueryAsync<ProviderKeyUseRow>("""
            SELECT id, key_id, agent_client_id, service, label, used_at
              FROM provider_key_uses
             WHERE user_id = app.current_user_id()
               AND (@afterUsedAt::timestamptz IS NULL OR (used_at, id) < (@afterUsedAt, @afterId))
             ORDER BY used_at DESC, id DESC
             LIMIT @take
            """, new { afterUsedAt = page.After?.Value, afterId = page.After?.Id, take = page.Take })).ToList(), ct);

    /// <summary>
    /// An agent client's use of a traveller's key for one call: checked, recorded and opened in one transaction, so a
    /// use that cannot be opened is not recorded, and a recorded use always happened.
    /// </summary>
    public Task<KeyUse> UseAsync(Guid agentClientId, Guid userId, string service, string? label, CancellationToken ct) =>
        db.AnonymousAsync<KeyUse>(async tx =>
        {
            var row = await tx.QuerySingleOrDefaultAsync<UsableKey>(
                "SELECT * FROM app.use_provider_key(@agentClientId, @userId, @service, @label)", new { agentClientId, userId, service, label });
            if (row is null) return new KeyUse.NotAvailable();
            var secret = cipher.Open(row.Id, row.UserId, row.Service, new SealedKey(row.SecretSealed, row.DataKeyWrapped, row.KekId));
            return new KeyUse.Granted(row.Id, row.Service, row.Label, secret);
        }, ct);

    private sealed record UsableKey(Guid Id, Guid UserId, string Service, string Label, byte[] SecretSealed, byte[] DataKeyWrapped, string KekId);
}

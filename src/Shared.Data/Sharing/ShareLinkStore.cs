using System.Buffers.Text;
using System.Security.Cryptography;
using Dapper;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Sharing;

public sealed record ShareLinkRow(Guid Id, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What creating or revoking a link came to.</summary>
public abstract record ShareLinkChange
{
    /// <summary>Created: the token is shown this once and stored only as its hash.</summary>
    public sealed record Created(ShareLinkRow Link, string Token) : ShareLinkChange;
    public sealed record Revoked : ShareLinkChange;
    public sealed record TripNotFound : ShareLinkChange;
    public sealed record LinkNotFound : ShareLinkChange;
    public sealed record Forbidden : ShareLinkChange;
}

/// <summary>
/// Read-only share links of a trip (0024_trip_shares.sql): its owner creates, lists and revokes them under row-level
/// security; anyone with a token reads the trip through app.shared_trip, which leaves out every person on it.
/// </summary>
public sealed class ShareLinkStore(Db db)
{
    public const int TokenBytes = 32;

    public Task<ShareLinkChange> CreateAsync(Guid userId, Guid tripId, string? label, CancellationToken ct) =>
        db.AsUserAsync<ShareLinkChange>(userId, async tx =>
        {
            switch (await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId }))
            {
                case null: return new ShareLinkChange.TripNotFound();
                case not "owner": return new ShareLinkChange.Forbidden();
            }
            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
            var link = await tx.QuerySingleAsync<ShareLinkRow>("""
                INSERT INTO trip_share_links (trip_id, token_hash, label, created_by)
                VALUES (@tripId, @hash, @label, app.current_user_id())
                RETURNING id, label, created_at, revoked_at
                """, new { tripId, hash = Hash(token), label });
            return new ShareLinkChange.Created(link, token);
        }, ct);

    /// <summary>Newest first; null when the trip is not the user's to see. Only the owner sees links (others: an empty list).</summary>
    public Task<IReadOnlyList<ShareLinkRow>?> ListAsync(Guid userId, Guid tripId, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.ReadAsUserAsync<IReadOnlyList<ShareLinkRow>?>(userId, """
            SELECT app.trip_role(@tripId);
            SELECT id, label, created_at, revoked_at FROM trip_share_links
             WHERE trip_id = @tripId AND (@afterAt::timestamptz IS NULL OR (created_at, id) < (@afterAt, @afterId))
             ORDER BY created_at DESC, id DESC LIMIT @take;
            """, new { tripId, afterAt = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => await grid.ReadSingleOrDefaultAsync<string>() is null ? null : (await grid.ReadAsync<ShareLinkRow>()).ToList(), ct);

    /// <summary>Revoking twice is the same as once.</summary>
    public Task<ShareLinkChange> RevokeAsync(Guid userId, Guid tripId, Guid linkId, CancellationToken ct) =>
        db.AsUserAsync<ShareLinkChange>(userId, async tx =>
        {
            switch (await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId }))
            {
                case null: return new ShareLinkChange.TripNotFound();
                case not "owner": return new ShareLinkChange.Forbidden();
            }
            var found = await tx.ExecuteAsync("""
                UPDATE trip_share_links SET revoked_at = coalesce(revoked_at, now()) WHERE id = @linkId AND trip_id = @tripId
                """, new { linkId, tripId });
            return found == 0 ? new ShareLinkChange.LinkNotFound() : new ShareLinkChange.Revoked();
        }, ct);

    /// <summary>The shared view as JSON, or null when the token names no live link (or cannot be a token at all).</summary>
    public Task<string?> ReadSharedAsync(string token, CancellationToken ct)
    {
        if (!IsToken(token)) return Task.FromResult<string?>(null);
        // One statement, one round trip, no BEGIN/COMMIT: the owner-run function needs no app.user_id.
        return db.ReadPublicAsync((conn, cancel) => conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT app.shared_trip(@hash)::text", new { hash = Hash(token) }, cancellationToken: cancel)), ct);
    }

    private static bool IsToken(string token) =>
        token.Length == Base64Url.GetEncodedLength(TokenBytes) && Base64Url.IsValid(token, out var length) && length == TokenBytes;

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token));
}

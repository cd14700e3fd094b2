using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Users;

/// <summary>What presenting a refresh token came to.</summary>
public abstract record RefreshOutcome
{
    /// <summary>The token was current: it is revoked and the new one replaces it in its family.</summary>
    public sealed record Rotated(Guid UserId, Guid FamilyId) : RefreshOutcome;
    public sealed record Unknown : RefreshOutcome;
    public sealed record Expired : RefreshOutcome;
    /// <summary>An already-revoked token (a stolen copy or a replay): its whole family is revoked now.</summary>
    public sealed record ReuseDetected(Guid UserId, Guid FamilyId) : RefreshOutcome;
    public sealed record AccountInactive : RefreshOutcome;
    /// <summary>A token of a family its user signed out of (POST /api/auth/logout).</summary>
    public sealed record SignedOut : RefreshOutcome;
}

/// <summary>
/// Refresh tokens with rotation: each use revokes the presented token and issues a new one in the
/// same family; presenting an already-revoked token (a stolen copy, or a replay) revokes the family.
/// Only SHA-256 hashes of tokens are stored.
/// </summary>
public sealed class RefreshSessionStore(Db db, TimeProvider clock)
{
    private sealed record SessionRow(Guid Id, Guid UserId, Guid FamilyId, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedReason);

    /// <summary>Starts a refresh family (one sign-in) and returns its id.</summary>
    public async Task<Guid> StartAsync(Guid userId, byte[] tokenHash, TimeSpan lifetime, CancellationToken ct)
    {
        var familyId = Guid.NewGuid();
        await db.AnonymousAsync(tx => tx.ExecuteAsync("""
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at)
            VALUES (@userId, @familyId, @tokenHash, now() + @lifetime)
            """, new { userId, familyId, tokenHash, lifetime }), ct, actAs: userId);
        return familyId;
    }

    /// <summary>Sign-out: revokes every live token of the family, as the user (row-level security keeps it to theirs).</summary>
    public Task<int> RevokeFamilyAsync(Guid userId, Guid familyId, CancellationToken ct) =>
        db.AsUserAsync(userId, tx => tx.ExecuteAsync("""
            UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = 'logout'
             WHERE family_id = @familyId AND user_id = app.current_user_id() AND revoked_at IS NULL
            """, new { familyId }), ct);

    public async Task<RefreshOutcome> RotateAsync(byte[] presentedHash, byte[] newHash, TimeSpan lifetime, CancellationToken ct)
    {
        var session = await db.AnonymousAsync(tx => tx.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT id, user_id, family_id, expires_at, revoked_at, revoked_reason FROM app.refresh_session_lookup(@presentedHash)",
            new { presentedHash }), ct);
        if (session is null) return new RefreshOutcome.Unknown();
        // Signed out (or the account deleted): every token of the family is revoked already; no theft to react to.
        if (session.RevokedReason is "logout" or "account_deleted") return new RefreshOutcome.SignedOut();

        return await db.AnonymousAsync<RefreshOutcome>(async tx =>
        {
            var active = await tx.ExecuteScalarAsync<bool>("SELECT app.begin_request(@UserId)", session);
            if (!active) return new RefreshOutcome.AccountInactive();
            if (session.RevokedAt is not null) return await RevokeFamilyAsync(tx, session);
            if (session.ExpiresAt <= clock.GetUtcNow()) return new RefreshOutcome.Expired();

            // The row lock makes two concurrent refreshes with one token resolve to one winner; the loser is a reuse.
            var newId = Guid.NewGuid();
            var rotated = await tx.ExecuteAsync("""
                UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = 'rotated', replaced_by = NULL
                 WHERE id = @Id AND revoked_at IS NULL
                """, session);
            if (rotated == 0) return await RevokeFamilyAsync(tx, session);
            await tx.ExecuteAsync("""
                INSERT INTO refresh_sessions (id, user_id, family_id, token_hash, expires_at)
                VALUES (@newId, @UserId, @FamilyId, @newHash, now() + @lifetime)
                """, new { newId, session.UserId, session.FamilyId, newHash, lifetime });
            await tx.ExecuteAsync("UPDATE refresh_sessions SET replaced_by = @newId WHERE id = @Id", new { newId, session.Id });
            return new RefreshOutcome.Rotated(session.UserId, session.FamilyId);
        }, ct, actAs: session.UserId);
    }

    private static async Task<RefreshOutcome> RevokeFamilyAsync(DbTx tx, SessionRow session)
    {
        await tx.ExecuteAsync("""
            UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = 'reuse_detected'
             WHERE family_id = @FamilyId AND revoked_at IS NULL
            """, session);
        return new RefreshOutcome.ReuseDetected(session.UserId, session.FamilyId);
    }
}

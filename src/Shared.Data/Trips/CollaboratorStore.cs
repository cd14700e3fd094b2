using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Trips;

/// <summary>A person on a trip. While an invitation is pending its id and name are not shown (null): only the email.</summary>
public sealed record MemberRow(Guid? UserId, string Email, string? FirstName, string? LastName, string Role, string Status,
    DateTimeOffset InvitedAt, DateTimeOffset? AcceptedAt);

/// <summary>An invitation as the owner sees it: the same whether or not the email has an account.</summary>
public sealed record InvitationRow(string Email, string Role, DateTimeOffset InvitedAt);

/// <summary>What an invitation, acceptance or removal came to.</summary>
public abstract record CollaboratorChange
{
    /// <summary>Accepted: the member as they now are.</summary>
    public sealed record Done(MemberRow Member) : CollaboratorChange;
    /// <summary>Invited (an account's pending invitation, or one waiting for the address to register).</summary>
    public sealed record Invited(InvitationRow Invitation) : CollaboratorChange;
    public sealed record Withdrawn : CollaboratorChange;
    public sealed record Removed : CollaboratorChange;
    public sealed record TripNotFound : CollaboratorChange;
    public sealed record Forbidden : CollaboratorChange;
    public sealed record Self : CollaboratorChange;
    public sealed record AlreadyInvited : CollaboratorChange;
    public sealed record NotInvited : CollaboratorChange;
}

/// <summary>
/// Trip sharing: the owner invites by email as viewer or editor; the invitee accepts; either side can end it. An
/// email without an account gets an invitation that waits (trip_invitations) until the address registers; the owner
/// cannot tell the two apart.
/// </summary>
public sealed class CollaboratorStore(Db db)
{
    public Task<CollaboratorChange> InviteAsync(Guid userId, Guid tripId, string email, string role, CancellationToken ct) =>
        db.AsUserAsync<CollaboratorChange>(userId, async tx =>
        {
            var myRole = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (myRole is null) return new CollaboratorChange.TripNotFound();
            if (myRole != "owner") return new CollaboratorChange.Forbidden();
            email = email.ToLowerInvariant();
            var invitee = await tx.QuerySingleOrDefaultAsync<Guid?>("SELECT app.live_user_id_by_email(@email)", new { email });
            if (invitee == userId) return new CollaboratorChange.Self();
            // Both statements answer the same columns, so both paths end alike.
            var invitedAt = invitee is { } id
                ? await tx.QuerySingleOrDefaultAsync<DateTimeOffset?>("""
                    INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by)
                    VALUES (@tripId, @id, @role, app.current_user_id())
                    ON CONFLICT (trip_id, user_id) DO NOTHING
                    RETURNING invited_at
                    """, new { tripId, id, role })
                : await tx.QuerySingleOrDefaultAsync<DateTimeOffset?>("""
                    INSERT INTO trip_invitations (trip_id, email, role, invited_by)
                    VALUES (@tripId, @email, @role, app.current_user_id())
                    ON CONFLICT (trip_id, email) DO NOTHING
                    RETURNING invited_at
                    """, new { tripId, email, role });
            return invitedAt is { } at
                ? new CollaboratorChange.Invited(new InvitationRow(email, role, at))
                : new CollaboratorChange.AlreadyInvited();
        }, ct);

    /// <summary>The owner takes back a pending invitation, by the email it went to.</summary>
    public Task<CollaboratorChange> WithdrawAsync(Guid userId, Guid tripId, string email, CancellationToken ct) =>
        db.AsUserAsync<CollaboratorChange>(userId, async tx =>
        {
            var myRole = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (myRole is null) return new CollaboratorChange.TripNotFound();
            if (myRole != "owner") return new CollaboratorChange.Forbidden();
            return await tx.ExecuteScalarAsync<bool>("SELECT app.withdraw_invitation(@tripId, @email)", new { tripId, email })
                ? new CollaboratorChange.Withdrawn() : new CollaboratorChange.NotInvited();
        }, ct);

    /// <summary>Accepting twice is the same as accepting once.</summary>
    public Task<CollaboratorChange> AcceptAsync(Guid userId, Guid tripId, CancellationToken ct) =>
        db.AsUserAsync<CollaboratorChange>(userId, async tx =>
        {
            var status = await tx.QuerySingleOrDefaultAsync<string>(
                "SELECT status FROM trip_collaborators WHERE trip_id = @tripId AND user_id = app.current_user_id() FOR UPDATE", new { tripId });
            if (status is null) return new CollaboratorChange.NotInvited();
            if (status == "accepted") return new CollaboratorChange.Done(await MemberAsync(tx, tripId, userId));
            await tx.ExecuteAsync("""
                UPDATE trip_collaborators SET status = 'accepted', accepted_at = now()
                 WHERE trip_id = @tripId AND user_id = app.current_user_id()
                """, new { tripId });
            return new CollaboratorChange.Done(await MemberAsync(tx, tripId, userId));
        }, ct);

    /// <returns>null when the caller can neither read the trip nor has an invitation to it.</returns>
    public Task<IReadOnlyList<MemberRow>?> ListAsync(Guid userId, Guid tripId, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<MemberRow>?>(userId, async tx =>
        {
            var visible = await tx.ExecuteScalarAsync<bool>("""
                SELECT app.trip_role(@tripId) IS NOT NULL
                    OR EXISTS (SELECT 1 FROM trip_collaborators WHERE trip_id = @tripId AND user_id = app.current_user_id())
                """, new { tripId });
            if (!visible) return null;
            return (await tx.QueryAsync<MemberRow>(
                "SELECT user_id, email, first_name, last_name, role, status, invited_at, accepted_at FROM app.trip_members(@tripId)",
                new { tripId })).ToList();
        }, ct);

    /// <summary>The owner removes anyone; a collaborator removes only themself.</summary>
    public Task<CollaboratorChange> RemoveAsync(Guid userId, Guid tripId, Guid memberId, CancellationToken ct) =>
        db.AsUserAsync<CollaboratorChange>(userId, async tx =>
        {
            var myRole = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            var self = memberId == userId;
            if (myRole is null && !self) return new CollaboratorChange.TripNotFound();
            if (myRole != "owner" && !self) return new CollaboratorChange.Forbidden();
            var removed = await tx.ExecuteAsync(
                "DELETE FROM trip_collaborators WHERE trip_id = @tripId AND user_id = @memberId", new { tripId, memberId });
            return removed == 0 ? new CollaboratorChange.NotInvited() : new CollaboratorChange.Removed();
        }, ct);

    // Used for the caller themself, whom app.trip_members always shows in full.
    private static async Task<MemberRow> MemberAsync(DbTx tx, Guid tripId, Guid memberId) =>
        (await tx.QueryAsync<MemberRow>(
            "SELECT user_id, email, first_name, last_name, role, status, invited_at, accepted_at FROM app.trip_members(@tripId) WHERE user_id = @memberId",
            new { tripId, memberId })).Single();
}

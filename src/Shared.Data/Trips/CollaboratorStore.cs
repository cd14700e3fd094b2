using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Trips;

public sealed record MemberRow(Guid UserId, string Email, string FirstName, string LastName, string Role, string Status,
    DateTimeOffset InvitedAt, DateTimeOffset? AcceptedAt);

/// <summary>What an invitation, acceptance or removal came to.</summary>
public abstract record CollaboratorChange
{
    /// <summary>Invited or accepted: the member as they now are.</summary>
    public sealed record Done(MemberRow Member) : CollaboratorChange;
    public sealed record Removed : CollaboratorChange;
    public sealed record TripNotFound : CollaboratorChange;
    public sealed record Forbidden : CollaboratorChange;
    public sealed record UserNotFound : CollaboratorChange;
    public sealed record Self : CollaboratorChange;
    public sealed record AlreadyInvited : CollaboratorChange;
    public sealed record NotInvited : CollaboratorChange;
}

/// <summary>Trip sharing: the owner invites by email as viewer or editor; the invitee accepts; either side can end it.</summary>
public sealed class CollaboratorStore(Db db)
{
    public Task<CollaboratorChange> InviteAsync(Guid userId, Guid tripId, string email, string role, CancellationToken ct) =>
        db.AsUserAsync<CollaboratorChange>(userId, async tx =>
        {
            var myRole = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (myRole is null) return new CollaboratorChange.TripNotFound();
            if (myRole != "owner") return new CollaboratorChange.Forbidden();
            var invitee = await tx.QuerySingleOrDefaultAsync<Guid?>("SELECT app.live_user_id_by_email(@email)", new { email });
            if (invitee is null) return new CollaboratorChange.UserNotFound();
            if (invitee == userId) return new CollaboratorChange.Self();
            var inserted = await tx.ExecuteAsync("""
                INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by)
                VALUES (@tripId, @invitee, @role, app.current_user_id())
                ON CONFLICT (trip_id, user_id) DO NOTHING
                """, new { tripId, invitee, role });
            if (inserted == 0) return new CollaboratorChange.AlreadyInvited();
            return new CollaboratorChange.Done(await MemberAsync(tx, tripId, invitee.Value));
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

    private static async Task<MemberRow> MemberAsync(DbTx tx, Guid tripId, Guid memberId) =>
        (await tx.QueryAsync<MemberRow>(
            "SELECT user_id, email, first_name, last_name, role, status, invited_at, accepted_at FROM app.trip_members(@tripId) WHERE user_id = @memberId",
            new { tripId, memberId })).Single();
}

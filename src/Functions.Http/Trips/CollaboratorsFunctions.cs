using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public sealed class CollaboratorsFunctions(CollaboratorStore store)
{
    /// <summary>The same answer whether or not the email has an account: nothing here says which.</summary>
    [Function("InviteCollaborator")]
    public async Task<Results<Created<InvitationResponse>, ProblemHttpResult, ValidationProblem>> Invite(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips/{tripId}/collaborators")] HttpRequest req, Guid tripId,
        [JsonBody] InviteRequest r) =>
        await store.InviteAsync(req.UserId(), tripId, r.Email!.Trim(), r.Role!.Value.ToText(), req.HttpContext.RequestAborted) switch
        {
            CollaboratorChange.Invited i => TypedResults.Created($"/api/trips/{tripId}/collaborators", InvitationResponse.From(i.Invitation)),
            CollaboratorChange.Forbidden => Problems.Forbidden("Only the trip's owner can invite collaborators."),
            CollaboratorChange.Self => Problems.Invalid("email", "You own this trip; invite someone else."),
            CollaboratorChange.AlreadyInvited => Problems.Conflict("That email is already invited to this trip."),
            _ => Problems.NotFound("The trip"),
        };

    /// <summary>The owner takes back a pending invitation, by the email it was sent to (pending invitees show no id).</summary>
    [Function("WithdrawInvitation")]
    public async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Withdraw(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips/{tripId}/collaborators/withdraw")] HttpRequest req, Guid tripId,
        [JsonBody] WithdrawInvitationRequest r) =>
        await store.WithdrawAsync(req.UserId(), tripId, r.Email!.Trim(), req.HttpContext.RequestAborted) switch
        {
            CollaboratorChange.Withdrawn => TypedResults.NoContent(),
            CollaboratorChange.Forbidden => Problems.Forbidden("Only the trip's owner can withdraw invitations."),
            CollaboratorChange.NotInvited => Problems.NotFound("A pending invitation to that email"),
            _ => Problems.NotFound("The trip"),
        };

    [Function("AcceptInvitation")]
    public async Task<Results<Ok<CollaboratorResponse>, ProblemHttpResult>> Accept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips/{tripId}/collaborators/accept")] HttpRequest req, Guid tripId) =>
        await store.AcceptAsync(req.UserId(), tripId, req.HttpContext.RequestAborted) is CollaboratorChange.Done d
            ? TypedResults.Ok(CollaboratorResponse.From(d.Member))
            : Problems.NotFound("An invitation to this trip");

    [Function("ListCollaborators")]
    public async Task<Results<Ok<CollaboratorList>, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/{tripId}/collaborators")] HttpRequest req, Guid tripId) =>
        await store.ListAsync(req.UserId(), tripId, req.HttpContext.RequestAborted) is { } members
            ? TypedResults.Ok(new CollaboratorList(members.Select(CollaboratorResponse.From).ToList()))
            : Problems.NotFound("The trip");

    [Function("RemoveCollaborator")]
    public async Task<Results<NoContent, ProblemHttpResult>> Remove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "trips/{tripId}/collaborators/{userId}")] HttpRequest req,
        Guid tripId, Guid userId) =>
        await store.RemoveAsync(req.UserId(), tripId, userId, req.HttpContext.RequestAborted) switch
        {
            CollaboratorChange.Removed => TypedResults.NoContent(),
            CollaboratorChange.Forbidden => Problems.Forbidden("Only the owner can remove other collaborators."),
            CollaboratorChange.NotInvited => Problems.NotFound("That collaborator"),
            _ => Problems.NotFound("The trip"),
        };
}

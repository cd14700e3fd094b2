using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public static class CollaboratorsEndpoints
{
    public static RouteGroupBuilder MapCollaborators(this RouteGroupBuilder trips)
    {
        var collaborators = trips.MapGroup("/{tripId}/collaborators").WithTags("Collaborators");
        collaborators.MapPost("/", Invite).WithName("InviteCollaborator").Validate<InviteRequest>();
        collaborators.MapPost("/accept", Accept).WithName("AcceptInvitation");
        collaborators.MapGet("/", List).WithName("ListCollaborators");
        collaborators.MapDelete("/{userId}", Remove).WithName("RemoveCollaborator");
        return trips;
    }

    private static async Task<Results<Created<CollaboratorResponse>, ProblemHttpResult, ValidationProblem>> Invite(
        Guid tripId, InviteRequest r, ClaimsPrincipal user, CollaboratorStore store, CancellationToken ct)
    {
        var (outcome, member) = await store.InviteAsync(user.UserId(), tripId, r.Email!.Trim(), r.Role!.Value.ToText(), ct);
        return outcome switch
        {
            CollaboratorOutcome.Done => TypedResults.Created($"/api/trips/{tripId}/collaborators", CollaboratorResponse.From(member!)),
            CollaboratorOutcome.Forbidden => Problems.Forbidden("Only the trip's owner can invite collaborators."),
            CollaboratorOutcome.UserNotFound => Problems.NotFound("An active user with that email"),
            CollaboratorOutcome.Self => Problems.Invalid("email", "You own this trip; invite someone else."),
            CollaboratorOutcome.AlreadyInvited => Problems.Conflict("That user is already invited to this trip."),
            _ => Problems.NotFound("The trip"),
        };
    }

    private static async Task<Results<Ok<CollaboratorResponse>, ProblemHttpResult>> Accept(
        Guid tripId, ClaimsPrincipal user, CollaboratorStore store, CancellationToken ct)
    {
        var (outcome, member) = await store.AcceptAsync(user.UserId(), tripId, ct);
        return outcome is CollaboratorOutcome.Done or CollaboratorOutcome.AlreadyAccepted
            ? TypedResults.Ok(CollaboratorResponse.From(member!))
            : Problems.NotFound("An invitation to this trip");
    }

    private static async Task<Results<Ok<CollaboratorList>, ProblemHttpResult>> List(
        Guid tripId, ClaimsPrincipal user, CollaboratorStore store, CancellationToken ct) =>
        await store.ListAsync(user.UserId(), tripId, ct) is { } members
            ? TypedResults.Ok(new CollaboratorList(members.Select(CollaboratorResponse.From).ToList()))
            : Problems.NotFound("The trip");

    private static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        Guid tripId, Guid userId, ClaimsPrincipal user, CollaboratorStore store, CancellationToken ct) =>
        await store.RemoveAsync(user.UserId(), tripId, userId, ct) switch
        {
            CollaboratorOutcome.Done => TypedResults.NoContent(),
            CollaboratorOutcome.Forbidden => Problems.Forbidden("Only the owner can remove other collaborators."),
            CollaboratorOutcome.NotInvited => Problems.NotFound("That collaborator"),
            _ => Problems.NotFound("The trip"),
        };
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Sharing;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Sharing;

/// <summary>A trip owner's read-only share links (docs/sharing.md).</summary>
public sealed class ShareLinksFunctions(ShareLinkStore store)
{
    [Function("CreateShareLink")]
    public async Task<Results<Created<CreatedShareLink>, ProblemHttpResult, ValidationProblem>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips/{tripId}/share-links")] HttpRequest req, Guid tripId,
        [JsonBody] CreateShareLinkRequest r)
    {
        switch (await store.CreateAsync(req.UserId(), tripId, r.Label?.Trim(), req.HttpContext.RequestAborted))
        {
            case ShareLinkChange.Created c:
                // The token is a credential: no cache may keep this answer.
                req.NoStore();
                return TypedResults.Created($"/api/trips/{tripId}/share-links/{c.Link.Id}",
                    new CreatedShareLink(c.Link.Id, c.Link.Label, c.Token, $"/api/shared/{c.Token}", c.Link.CreatedAt));
            case ShareLinkChange.Forbidden: return Problems.Forbidden("Only the trip's owner can share it.");
            default: return Problems.NotFound("The trip");
        }
    }

    [Function("ListShareLinks")]
    public async Task<Results<Ok<Page<ShareLinkResponse>>, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/{tripId}/share-links")] HttpRequest req, Guid tripId,
        ShareLinkListQuery q) =>
        await store.ListAsync(req.UserId(), tripId, q.Page, req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(Pages.From(rows, q.Page, ShareLinkResponse.From, l => new(l.CreatedAt, l.Id)))
            : Problems.NotFound("The trip");

    [Function("RevokeShareLink")]
    public async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "trips/{tripId}/share-links/{linkId}")] HttpRequest req,
        Guid tripId, Guid linkId) =>
        await store.RevokeAsync(req.UserId(), tripId, linkId, req.HttpContext.RequestAborted) switch
        {
            ShareLinkChange.Revoked => TypedResults.NoContent(),
            ShareLinkChange.Forbidden => Problems.Forbidden("Only the trip's owner can revoke its links."),
            ShareLinkChange.LinkNotFound => Problems.NotFound("The share link"),
            _ => Problems.NotFound("The trip"),
        };
}

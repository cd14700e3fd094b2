using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Planning;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Planning;

/// <summary>
/// AI planning jobs as travellers see them (docs/planning.md): the trip's owner and editors queue one (a viewer gets 403),
/// its members read them and poll, anyone else gets 404. Feedback on a trip's itineraries: its members give and read it.
/// </summary>
public sealed class PlanningFunctions(PlanningJobStore store)
{
    private const string Jobs = "trips/{tripId}/planning-jobs";
    private const string Feedback = "trips/{tripId}/itineraries/{versionId}/feedback";

    /// <summary>202: queued; poll the Location. With an Idempotency-Key, the same request again answers the same job.</summary>
    [Function("QueuePlanningJob")]
    public async Task<Results<Accepted<PlanningJobResponse>, ProblemHttpResult, ValidationProblem>> Queue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Jobs)] HttpRequest req, Guid tripId, [JsonBody] QueuePlanningJobRequest r,
        IdempotencyKey idempotencyKey)
    {
        var notes = r.Notes?.Trim();
        var key = idempotencyKey.Value is { } k
            ? new PlanningIdempotency(k, SHA256.HashData(Encoding.UTF8.GetBytes(tripId.ToString("D") + "\n" + notes)))
            : null;
        switch (await store.QueueAsync(req.UserId(), tripId, notes, key, req.HttpContext.RequestAborted))
        {
            case PlanningQueueing.Queued q:
                return TypedResults.Accepted($"/api/trips/{tripId}/planning-jobs/{q.Job.Id}", PlanningJobResponse.From(q.Job));
            case PlanningQueueing.Replayed p:
                req.HttpContext.Response.Headers[IdempotencyKey.ReplayedHeader] = "true";
                return TypedResults.Accepted($"/api/trips/{tripId}/planning-jobs/{p.Job.Id}", PlanningJobResponse.From(p.Job));
            case PlanningQueueing.Forbidden:
                return Problems.Forbidden("Only the trip's owner and editors can ask for an itinerary to be planned.");
            case PlanningQueueing.KeyReusedWithDifferentRequest:
                return Problems.Unprocessable("This Idempotency-Key was already used with a different request. Use a new key for a new job.");
            default:
                return Problems.NotFound("The trip");
        }
    }

    [Function("GetPlanningJob")]
    public async Task<Results<Ok<PlanningJobResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Jobs + "/{jobId}")] HttpRequest req, Guid tripId, Guid jobId) =>
        await store.GetAsync(req.UserId(), tripId, jobId, req.HttpContext.RequestAborted) is { } job
            ? TypedResults.Ok(PlanningJobResponse.From(job)) : Problems.NotFound("The planning job");

    /// <summary>The trip's jobs, newest first (keyset).</summary>
    [Function("ListPlanningJobs")]
    public async Task<Results<Ok<Page<PlanningJobResponse>>, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Jobs)] HttpRequest req, Guid tripId, PlanningListQuery q) =>
        await store.ListAsync(req.UserId(), tripId, q.Page, req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(Pages.From(rows, q.Page, PlanningJobResponse.From, j => new(j.CreatedAt, j.Id)))
            : Problems.NotFound("The trip");

    [Function("GiveItineraryFeedback")]
    public async Task<Results<Created<FeedbackResponse>, ProblemHttpResult, ValidationProblem>> Give(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Feedback)] HttpRequest req, Guid tripId, Guid versionId,
        [JsonBody] FeedbackRequest r) =>
        await store.GiveFeedbackAsync(req.UserId(), tripId, versionId,
                new NewItineraryFeedback(r.ItemId, r.Type!.Value.ToText(), r.Rating, r.Comment?.Trim()), req.HttpContext.RequestAborted) switch
        {
            FeedbackCreation.Created c => TypedResults.Created($"/api/trips/{tripId}/itineraries/{versionId}/feedback", FeedbackResponse.From(c.Feedback)),
            FeedbackCreation.Invalid i => Problems.Invalid(i.Field, i.Message),
            FeedbackCreation.NotFound n => Problems.NotFound(n.What),
            _ => throw new InvalidOperationException("Unexpected feedback outcome."),
        };

    /// <summary>A version's feedback, oldest first (keyset).</summary>
    [Function("ListItineraryFeedback")]
    public async Task<Results<Ok<Page<FeedbackResponse>>, ProblemHttpResult>> ListFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Feedback)] HttpRequest req, Guid tripId, Guid versionId, PlanningListQuery q) =>
        await store.ListFeedbackAsync(req.UserId(), tripId, versionId, q.Page, req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(Pages.From(rows, q.Page, FeedbackResponse.From, f => new(f.CreatedAt, f.Id)))
            : Problems.NotFound("The trip");
}

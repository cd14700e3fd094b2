using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Planning;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Itineraries;

namespace TravelFunctions.Http.Planning;

/// <summary>
/// Planning agents (scope agents:planning; the token's subject is the agent client's id) work the queue: claim the next
/// job under a lease, heartbeat, complete it with an itinerary or fail it; read feedback on what they produced. Only the
/// holder, with the lease token of its claim, heartbeats, completes or fails: 409 otherwise, 404 for no such job.
/// </summary>
[Authorize(Policy = AgentScopes.PlanningPolicy)]
public sealed class PlanningAgentFunctions(PlanningJobStore store)
{
    private const string Job = "agents/planning-jobs/{jobId}";
    private const string NotHeld = "This job is not held by this agent with this lease token (another claim, an expired lease, or already finished).";

    /// <summary>200 with the job and its lease; 204 when no job is due.</summary>
    [Function("ClaimPlanningJob")]
    public async Task<Results<Ok<ClaimedPlanningJobResponse>, NoContent, ValidationProblem>> Claim(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "agents/planning-jobs/claim")] HttpRequest req, [JsonBody] ClaimPlanningJobRequest r)
    {
        req.NoStore();
        var lease = TimeSpan.FromSeconds(r.LeaseSeconds ?? PlanningLeases.DefaultSeconds);
        return await store.ClaimAsync(req.UserId(), lease, req.HttpContext.RequestAborted) is { } job
            ? TypedResults.Ok(ClaimedPlanningJobResponse.From(job)) : TypedResults.NoContent();
    }

    [Function("HeartbeatPlanningJob")]
    public async Task<Results<Ok<HeartbeatResponse>, ProblemHttpResult, ValidationProblem>> Heartbeat(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Job + "/heartbeat")] HttpRequest req, Guid jobId, [JsonBody] HeartbeatRequest r) =>
        await store.HeartbeatAsync(req.UserId(), jobId, r.LeaseToken!.Value, TimeSpan.FromSeconds(r.LeaseSeconds ?? PlanningLeases.DefaultSeconds),
                req.HttpContext.RequestAborted) switch
        {
            LeaseOutcome.Held h => TypedResults.Ok(new HeartbeatResponse(jobId, h.Until!.Value)),
            LeaseOutcome.NotHeld => Problems.Conflict(NotHeld),
            _ => Problems.NotFound("The planning job"),
        };

    /// <summary>The attempt failed: queued again after 30 s·2^(attempt−1), or failed for good after the last attempt (or with retry false).</summary>
    [Function("FailPlanningJob")]
    public async Task<Results<Ok<FailPlanningJobResponse>, ProblemHttpResult, ValidationProblem>> Fail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Job + "/fail")] HttpRequest req, Guid jobId, [JsonBody] FailPlanningJobRequest r) =>
        await store.FailAsync(req.UserId(), jobId, r.LeaseToken!.Value, r.Error!, r.Retry ?? true, req.HttpContext.RequestAborted) switch
        {
            LeaseOutcome.Held h => TypedResults.Ok(new FailPlanningJobResponse(jobId, EnumText.Parse<PlanningJobStatus>(h.Status!),
                h.Status == "queued" ? h.AvailableAt : null)),
            LeaseOutcome.NotHeld => Problems.Conflict(NotHeld),
            _ => Problems.NotFound("The planning job"),
        };

    /// <summary>
    /// The result becomes a new itinerary version of the trip in the transaction that completes the job. A result that is
    /// not a valid itinerary for the trip is a 400 that writes nothing and leaves the job held (fix it and complete again,
    /// or fail the job). Completing again with the same lease token answers the version made the first time (itinerary null).
    /// </summary>
    [Function("CompletePlanningJob"), Microsoft.AspNetCore.Mvc.RequestSizeLimit(1024 * 1024)]
    public async Task<Results<Ok<CompletePlanningJobResponse>, ProblemHttpResult, ValidationProblem>> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Job + "/complete")] HttpRequest req, Guid jobId,
        [JsonBody] CompletePlanningJobRequest r) =>
        await store.CompleteAsync(req.UserId(), jobId, r.LeaseToken!.Value, ItinerariesFunctions.ToDocument(r.AsAi()!), r.InputTokens,
                r.OutputTokens, req.HttpContext.RequestAborted) switch
        {
            PlanningCompletion.Completed c => TypedResults.Ok(new CompletePlanningJobResponse(jobId, c.Itinerary.Id, ItineraryResponse.From(c.Itinerary))),
            PlanningCompletion.AlreadyCompleted a when a.VersionId is { } v => TypedResults.Ok(new CompletePlanningJobResponse(jobId, v, null)),
            PlanningCompletion.AlreadyCompleted => Problems.Conflict("This job was completed, and the itinerary it made has since been deleted."),
            PlanningCompletion.Invalid i => Problems.Invalid(i.Field.Length == 0 ? "itinerary" : "itinerary." + i.Field, i.Message),
            PlanningCompletion.NotHeld => Problems.Conflict(NotHeld),
            _ => Problems.NotFound("The planning job"),
        };

    /// <summary>Feedback on the itineraries this agent's completed jobs made, oldest first (keyset), without who gave it.</summary>
    [Function("ListPlanningFeedback")]
    public async Task<Ok<Page<AgentFeedbackResponse>>> Feedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "agents/planning-jobs/feedback")] HttpRequest req, PlanningListQuery q)
    {
        var rows = await store.AgentFeedbackAsync(req.UserId(), q.Page, req.HttpContext.RequestAborted);
        return TypedResults.Ok(Pages.From(rows, q.Page, AgentFeedbackResponse.From, f => new(f.CreatedAt, f.Id)));
    }
}

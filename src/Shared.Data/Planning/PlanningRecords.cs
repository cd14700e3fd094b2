using TravelFunctions.Data.Itineraries;

namespace TravelFunctions.Data.Planning;

/// <summary>A planning job as travellers see it. InputJson is the snapshot of the trip's requirements taken when it was queued.</summary>
public sealed record PlanningJobRow(
    Guid Id, Guid TripId, Guid RequestedBy, string Status, string InputJson, int Attempts, int MaxAttempts, DateTimeOffset AvailableAt,
    DateTimeOffset? LeaseExpiresAt, string? LastError, Guid? ResultVersionId, string? ModelVersion, int? InputTokens, int? OutputTokens,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

/// <summary>A job an agent claimed: its input, which attempt this is, and the lease (token and end) that go with it.</summary>
public sealed record ClaimedPlanningJob(
    Guid Id, Guid TripId, string InputJson, int Attempt, int MaxAttempts, Guid LeaseToken, DateTimeOffset LeaseExpiresAt, DateTimeOffset CreatedAt);

/// <summary>Feedback on an itinerary version or one of its items.</summary>
public sealed record ItineraryFeedbackRow(
    Guid Id, Guid TripId, Guid VersionId, Guid? ItemId, Guid UserId, string FeedbackType, int? Rating, string? Comment, DateTimeOffset CreatedAt);

/// <summary>Feedback as an agent reads it: on a version one of its jobs made, without who gave it.</summary>
public sealed record AgentFeedbackRow(
    Guid Id, Guid JobId, Guid TripId, Guid VersionId, Guid? ItemId, string FeedbackType, int? Rating, string? Comment, DateTimeOffset CreatedAt);

public sealed record NewItineraryFeedback(Guid? ItemId, string FeedbackType, int? Rating, string? Comment);

/// <summary>The Idempotency-Key of a queue request and the hash of what was asked with it.</summary>
public sealed record PlanningIdempotency(string Key, byte[] RequestHash);

public abstract record PlanningQueueing
{
    public sealed record Queued(PlanningJobRow Job) : PlanningQueueing;
    /// <summary>The same Idempotency-Key and request again: the job the first one queued.</summary>
    public sealed record Replayed(PlanningJobRow Job) : PlanningQueueing;
    public sealed record TripNotFound : PlanningQueueing;
    public sealed record Forbidden : PlanningQueueing;
    public sealed record KeyReusedWithDifferentRequest : PlanningQueueing;
}

/// <summary>What a heartbeat or a failure report came to.</summary>
public abstract record LeaseOutcome
{
    /// <summary>Heartbeat: the lease now ends at Until. Failure: the job's status after it (queued again, or failed) and when it is due.</summary>
    public sealed record Held(DateTimeOffset? Until, string? Status = null, DateTimeOffset? AvailableAt = null) : LeaseOutcome;
    /// <summary>The job is not this agent's with this lease token (any more): another claim, a lease the timer job ended, completed, failed.</summary>
    public sealed record NotHeld : LeaseOutcome;
    public sealed record NotFound : LeaseOutcome;
}

public abstract record PlanningCompletion
{
    /// <summary>The job is completed with this new version (one transaction).</summary>
    public sealed record Completed(ItineraryRow Itinerary) : PlanningCompletion;
    /// <summary>This agent completed the job with this lease token before: the version that made, nothing new.</summary>
    public sealed record AlreadyCompleted(Guid? VersionId) : PlanningCompletion;
    public sealed record NotHeld : PlanningCompletion;
    public sealed record NotFound : PlanningCompletion;
    /// <summary>The result is not a valid itinerary for the trip: nothing was written, the job stays held.</summary>
    public sealed record Invalid(string Field, string Message) : PlanningCompletion;
}

public abstract record FeedbackCreation
{
    public sealed record Created(ItineraryFeedbackRow Feedback) : FeedbackCreation;
    /// <summary>The trip or the version is not there or not readable by the caller.</summary>
    public sealed record NotFound(string What) : FeedbackCreation;
    public sealed record Invalid(string Field, string Message) : FeedbackCreation;
}

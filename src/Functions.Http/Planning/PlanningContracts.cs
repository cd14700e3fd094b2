using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;
using TravelFunctions.Data.Planning;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Itineraries;

namespace TravelFunctions.Http.Planning;

public enum PlanningJobStatus { Queued, Running, Completed, Failed }
public enum FeedbackType { Rating, Correction, Suggestion }

/// <summary>POST /api/trips/{tripId}/planning-jobs: optional free text for the planner, kept with the trip's requirements.</summary>
public sealed record QueuePlanningJobRequest(string? Notes);

/// <summary>A planning job as travellers see it; input is the snapshot of the trip's requirements taken when it was queued.</summary>
public sealed record PlanningJobResponse(
    Guid Id, Guid TripId, Guid RequestedBy, PlanningJobStatus Status, RawJson Input, int Attempts, int MaxAttempts, DateTimeOffset AvailableAt,
    DateTimeOffset? LeaseExpiresAt, string? LastError, Guid? ResultVersionId, string? ModelVersion, int? InputTokens, int? OutputTokens,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt)
{
    public static PlanningJobResponse From(PlanningJobRow j) =>
        new(j.Id, j.TripId, j.RequestedBy, EnumText.Parse<PlanningJobStatus>(j.Status), new RawJson(j.InputJson), j.Attempts, j.MaxAttempts,
            j.AvailableAt, j.LeaseExpiresAt, j.LastError, j.ResultVersionId, j.ModelVersion, j.InputTokens, j.OutputTokens, j.CreatedAt,
            j.UpdatedAt, j.CompletedAt);
}

[InputConverter(typeof(QueryConverter<PlanningListQuery>))]
public sealed record PlanningListQuery(PageRequest<DateTimeOffset> Page) : IQueryRecord<PlanningListQuery>
{
    public static PlanningListQuery Read(QueryReader query) => new(query.Page<DateTimeOffset>());
}

/// <summary>POST /api/agents/planning-jobs/claim: the lease wanted, in seconds (30–3600, default 300).</summary>
public sealed record ClaimPlanningJobRequest(int? LeaseSeconds);

public sealed record ClaimedPlanningJobResponse(
    Guid Id, Guid TripId, RawJson Input, int Attempt, int MaxAttempts, Guid LeaseToken, DateTimeOffset LeaseExpiresAt, DateTimeOffset CreatedAt)
{
    public static ClaimedPlanningJobResponse From(ClaimedPlanningJob j) =>
        new(j.Id, j.TripId, new RawJson(j.InputJson), j.Attempt, j.MaxAttempts, j.LeaseToken, j.LeaseExpiresAt, j.CreatedAt);
}

public sealed record HeartbeatRequest(Guid? LeaseToken, int? LeaseSeconds);
public sealed record HeartbeatResponse(Guid Id, DateTimeOffset LeaseExpiresAt);

/// <summary>The holder gives up its attempt. Retry false: retrying cannot help, the job fails for good now.</summary>
public sealed record FailPlanningJobRequest(Guid? LeaseToken, string? Error, bool? Retry);
public sealed record FailPlanningJobResponse(Guid Id, PlanningJobStatus Status, DateTimeOffset? AvailableAt);

/// <summary>
/// The result: an itinerary document as POST /api/trips/{id}/itineraries takes it (generatedBy is always "ai" and its
/// modelVersion this request's), the model version and the tokens used.
/// </summary>
public sealed record CompletePlanningJobRequest(
    Guid? LeaseToken, CreateItineraryRequest? Itinerary, string? ModelVersion, int? InputTokens, int? OutputTokens)
{
    /// <summary>The itinerary as the agent's, whatever generatedBy and modelVersion it said.</summary>
    public CreateItineraryRequest? AsAi() => Itinerary is null ? null : Itinerary with { GeneratedBy = ItineraryGeneratedBy.Ai, ModelVersion = ModelVersion };
}

public sealed record CompletePlanningJobResponse(Guid Id, Guid ResultVersionId, ItineraryResponse? Itinerary);

/// <summary>POST .../itineraries/{versionId}/feedback: a rating (1–5) or a correction / suggestion (text), on the version or one item.</summary>
public sealed record FeedbackRequest(Guid? ItemId, FeedbackType? Type, int? Rating, string? Comment);

public sealed record FeedbackResponse(Guid Id, Guid TripId, Guid VersionId, Guid? ItemId, Guid UserId, FeedbackType Type, int? Rating,
    string? Comment, DateTimeOffset CreatedAt)
{
    public static FeedbackResponse From(ItineraryFeedbackRow f) =>
        new(f.Id, f.TripId, f.VersionId, f.ItemId, f.UserId, EnumText.Parse<FeedbackType>(f.FeedbackType), f.Rating, f.Comment, f.CreatedAt);
}

public sealed record AgentFeedbackResponse(Guid Id, Guid JobId, Guid TripId, Guid VersionId, Guid? ItemId, FeedbackType Type, int? Rating,
    string? Comment, DateTimeOffset CreatedAt)
{
    public static AgentFeedbackResponse From(AgentFeedbackRow f) =>
        new(f.Id, f.JobId, f.TripId, f.VersionId, f.ItemId, EnumText.Parse<FeedbackType>(f.FeedbackType), f.Rating, f.Comment, f.CreatedAt);
}

using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Planning;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(QueuePlanningJobRequest))]
[JsonSerializable(typeof(PlanningJobResponse))]
[JsonSerializable(typeof(Page<PlanningJobResponse>))]
[JsonSerializable(typeof(ClaimPlanningJobRequest))]
[JsonSerializable(typeof(ClaimedPlanningJobResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(FailPlanningJobRequest))]
[JsonSerializable(typeof(FailPlanningJobResponse))]
[JsonSerializable(typeof(CompletePlanningJobRequest))]
[JsonSerializable(typeof(CompletePlanningJobResponse))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(Page<FeedbackResponse>))]
[JsonSerializable(typeof(Page<AgentFeedbackResponse>))]
internal sealed partial class PlanningJson : JsonSerializerContext;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Notifications;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Notifications;

/// <summary>The delivery agent (scope agents:notifications) sends what is pending per channel and reports each outcome.</summary>
[Authorize(Policy = AgentScopes.NotificationsPolicy)]
public sealed class DeliveryFunctions(NotificationStore store)
{
    [Function("ListPendingDeliveries")]
    public async Task<Ok<Page<PendingDeliveryResponse>>> Pending(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "agents/notifications/pending")] HttpRequest req, PendingDeliveryQuery q)
    {
        // Addresses: no cache may keep them.
        req.NoStore();
        var rows = await store.PendingAsync(q.Channel.ToText(), q.Limit, req.HttpContext.RequestAborted);
        return TypedResults.Ok(new Page<PendingDeliveryResponse>(rows.ConvertAll(PendingDeliveryResponse.From), null));
    }

    /// <summary>Reporting the same outcome again is harmless; a different one after the first is 409.</summary>
    [Function("ReportDelivery")]
    public async Task<Results<Ok<DeliveryReportResponse>, ProblemHttpResult, ValidationProblem>> Report(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "agents/notifications/{notificationId}/deliveries")] HttpRequest req,
        Guid notificationId, [JsonBody] DeliveryReportRequest r) =>
        await store.RecordDeliveryAsync(notificationId, r.Channel!.Value.ToText(), r.Status!.Value.ToText(), r.Error, req.HttpContext.RequestAborted) switch
        {
            DeliveryReport.Recorded => TypedResults.Ok(new DeliveryReportResponse(notificationId, r.Channel.Value, r.Status.Value)),
            DeliveryReport.AlreadyRecorded a => Problems.Conflict($"This notification's {r.Channel.Value.ToText()} delivery was already reported as {a.Status}."),
            _ => Problems.NotFound($"A notification for the {r.Channel.Value.ToText()} channel"),
        };
}

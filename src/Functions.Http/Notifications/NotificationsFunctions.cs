using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Notifications;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Notifications;

/// <summary>A user's notification inbox: created by the platform (docs/notifications.md), read and marked read here.</summary>
public sealed class NotificationsFunctions(NotificationStore store)
{
    [Function("ListNotifications")]
    public async Task<Ok<NotificationPage>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "notifications")] HttpRequest req, NotificationListQuery q)
    {
        var (rows, unread) = await store.ListAsync(req.UserId(), q.UnreadOnly, q.Page, req.HttpContext.RequestAborted);
        var page = Pages.From(rows, q.Page, NotificationResponse.From, n => new(n.SortAt, n.Id));
        return TypedResults.Ok(new NotificationPage(page.Items, page.NextCursor, unread));
    }

    [Function("MarkNotificationRead")]
    public async Task<Results<NoContent, ProblemHttpResult>> MarkRead(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "notifications/{notificationId}/read")] HttpRequest req, Guid notificationId) =>
        await store.MarkReadAsync(req.UserId(), notificationId, req.HttpContext.RequestAborted)
            ? TypedResults.NoContent() : Problems.NotFound("The notification");

    [Function("MarkAllNotificationsRead")]
    public async Task<Ok<MarkedRead>> MarkAllRead(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "notifications/read-all")] HttpRequest req) =>
        TypedResults.Ok(new MarkedRead(await store.MarkAllReadAsync(req.UserId(), req.HttpContext.RequestAborted)));
}

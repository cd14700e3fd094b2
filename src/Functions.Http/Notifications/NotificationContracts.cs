using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Notifications;
using TravelFunctions.Data.Paging;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Notifications;

public enum NotificationChannel { Email, Sms, Push }
public enum DeliveryStatus { Sent, Failed }

public sealed record NotificationResponse(
    Guid Id, string Kind, string Priority, string Title, string? Body, RawJson? Data, Guid? TripId, Guid? BookingId,
    bool Read, DateTimeOffset? ReadAt, DateTimeOffset CreatedAt)
{
    public static NotificationResponse From(NotificationRow n) =>
        new(n.Id, n.Kind, n.Priority, n.Title, n.Body, RawJson.From(n.DataJson), n.TripId, n.BookingId, n.ReadAt is not null, n.ReadAt, n.CreatedAt);
}

/// <summary>A page of the inbox (unread first, then read; each newest first) and how many are unread in all.</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationResponse> Items, string? NextCursor, long Unread);

/// <summary>GET /api/notifications: unread first, keyset-paged.</summary>
[InputConverter(typeof(QueryConverter<NotificationListQuery>))]
public sealed record NotificationListQuery(bool UnreadOnly, PageRequest<DateTimeOffset> Page) : IQueryRecord<NotificationListQuery>
{
    public static NotificationListQuery Read(QueryReader query) =>
        new(query.Enum<Filter>("filter", "unread: only unread notifications; all (default): unread first, then read.") == Filter.Unread,
            query.Page<DateTimeOffset>());

    public enum Filter { All, Unread }
}

public sealed record MarkedRead(int Marked);

/// <summary>GET /api/agents/notifications/pending?channel=email&amp;limit=50: oldest first.</summary>
[InputConverter(typeof(QueryConverter<PendingDeliveryQuery>))]
public sealed record PendingDeliveryQuery(NotificationChannel Channel, int Limit) : IQueryRecord<PendingDeliveryQuery>
{
    public static PendingDeliveryQuery Read(QueryReader query)
    {
        var channel = query.Enum<NotificationChannel>("channel", "The channel to deliver on (required).");
        if (channel is null) query.Fail("channel", "channel is required: email, sms or push.");
        return new(channel ?? NotificationChannel.Email, query.Integer("limit", "At most this many (1–200, default 50).", 1, 200) ?? 50);
    }
}

public sealed record PendingDeliveryResponse(
    Guid Id, DateTimeOffset CreatedAt, Guid UserId, string Email, string? Phone, string? FirstName, string Kind, string Priority,
    string Title, string? Body, RawJson? Data)
{
    public static PendingDeliveryResponse From(PendingDelivery p) =>
        new(p.Id, p.CreatedAt, p.UserId, p.Email, p.Phone, p.FirstName, p.Kind, p.Priority, p.Title, p.Body, RawJson.From(p.DataJson));
}

/// <summary>What the delivery agent reports for one channel of one notification.</summary>
public sealed record DeliveryReportRequest(NotificationChannel? Channel, DeliveryStatus? Status, string? Error);

public sealed record DeliveryReportResponse(Guid Id, NotificationChannel Channel, DeliveryStatus Status);

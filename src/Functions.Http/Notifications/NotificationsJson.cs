using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Notifications;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(NotificationPage))]
[JsonSerializable(typeof(MarkedRead))]
[JsonSerializable(typeof(Page<PendingDeliveryResponse>))]
[JsonSerializable(typeof(DeliveryReportRequest))]
[JsonSerializable(typeof(DeliveryReportResponse))]
internal sealed partial class NotificationsJson : JsonSerializerContext;

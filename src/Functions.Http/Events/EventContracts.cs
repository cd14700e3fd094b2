using System.Text.Json;

namespace TravelFunctions.Http.Events;

public enum DeviceType { Desktop, Mobile, Tablet, Other }

/// <summary>POST /api/events body: {"events": [ … 1 to 1000 events … ]}. Errors name the event: "events[3].occurredAt".</summary>
public sealed record EventBatchRequest(IReadOnlyList<EventInput>? Events);

/// <summary>occurredAt: when it happened on the client (default: now); data: a JSON object of at most 16 KiB, 16 levels deep.</summary>
/// <remarks>
/// Settable properties rather than a positional record or init-only properties: up to 1000 of these are
/// read per request, and the serializer binds both of those through a boxed argument array per object.
/// </remarks>
public sealed record EventInput
{
    public string? EventType { get; set; }
    public string? Category { get; set; }
    public JsonElement? Data { get; set; }
    public string? SessionId { get; set; }
    public DeviceType? DeviceType { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
}

/// <summary>How many rows a batch endpoint wrote (all of the batch, or nothing).</summary>
public sealed record AcceptedBatch(int Accepted);

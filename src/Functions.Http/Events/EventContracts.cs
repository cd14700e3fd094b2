using System.Text.Json;

namespace TravelFunctions.Http.Events;

public enum DeviceType { Desktop, Mobile, Tablet, Other }

/// <summary>POST /api/events body: {"events": [ … 1 to 1000 events … ]}. Errors name the event: "events[3].occurredAt".</summary>
public sealed record EventBatchRequest(IReadOnlyList<EventInput>? Events);

/// <summary>occurredAt: when it happened on the client (default: now); data: a JSON object of at most 16 KiB.</summary>
public sealed record EventInput(
    string? EventType, string? Category, JsonElement? Data, string? SessionId, DeviceType? DeviceType, DateTimeOffset? OccurredAt);

/// <summary>How many rows a batch endpoint wrote (all of the batch, or nothing).</summary>
public sealed record AcceptedBatch(int Accepted);

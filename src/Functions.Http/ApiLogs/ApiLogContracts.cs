using System.Text.Json;

namespace TravelFunctions.Http.ApiLogs;

/// <summary>POST /api/api-logs body: {"logs": [ … 1 to 500 entries … ]}. Errors name the entry: "logs[2].request".</summary>
public sealed record ApiLogBatchRequest(IReadOnlyList<ApiLogInput>? Logs);

/// <summary>
/// One call an agent made to an external API. status: the HTTP status (null: no response, e.g. a timeout);
/// request/response: any JSON, at most 64 KiB and 16 levels deep each; userId: the user on whose behalf it was made;
/// occurredAt: when (default: now).
/// </summary>
public sealed record ApiLogInput(
    string? Provider, string? Endpoint, string? Method, int? Status, int? DurationMs,
    JsonElement? Request, JsonElement? Response, string? Error, Guid? UserId, DateTimeOffset? OccurredAt);

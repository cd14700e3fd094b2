using System.Text.Json;
using TravelFunctions.Data.Conversations;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Conversations;

public enum AgentType { TripPlanning, SearchBooking, Experience, Support, Customer360 }
public enum ConversationStatus { Active, Closed, Escalated }
public enum MessageRole { User, Agent, System, Tool }
/// <summary>How a conversation ends: closed, or escalated to a human (with a reason).</summary>
public enum CloseStatus { Closed, Escalated }

public sealed record CreateConversationRequest(Guid? TripId, AgentType? AgentType, string? Title);

/// <summary>metadata: any JSON object (at most 32 KiB, 16 levels deep); token counts are the agent's model usage for this turn.</summary>
public sealed record PostMessageRequest(
    MessageRole? Role, string? Content, string? AgentName, JsonElement? Metadata, int? InputTokens, int? OutputTokens);

public sealed record CloseConversationRequest(CloseStatus? Status, string? Reason);

public sealed record ConversationResponse(
    Guid Id, Guid UserId, Guid? TripId, AgentType AgentType, string? Title, ConversationStatus Status, string? CloseReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt, DateTimeOffset? LastMessageAt, DateTimeOffset LastActivityAt)
{
    public static ConversationResponse From(ConversationRow c) => new(
        c.Id, c.UserId, c.TripId, EnumText.Parse<AgentType>(c.AgentType), c.Title, EnumText.Parse<ConversationStatus>(c.Status),
        c.CloseReason, c.CreatedAt, c.UpdatedAt, c.ClosedAt, c.LastMessageAt, c.LastActivityAt);
}

public sealed record MessageResponse(
    Guid Id, Guid ConversationId, MessageRole Role, string Content, string? AgentName, RawJson? Metadata,
    int? InputTokens, int? OutputTokens, DateTimeOffset CreatedAt)
{
    public static MessageResponse From(MessageRow m) => new(
        m.Id, m.ConversationId, EnumText.Parse<MessageRole>(m.Role), m.Content, m.AgentName,
        RawJson.From(m.Metadata),
        m.InputTokens, m.OutputTokens, m.CreatedAt);
}

namespace TravelFunctions.Data.Conversations;

public sealed record ConversationRow(
    Guid Id, Guid UserId, Guid? TripId, string AgentType, string? Title, string Status, string? CloseReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt, DateTimeOffset? LastMessageAt,
    DateTimeOffset LastActivityAt);

public sealed record NewConversation(Guid? TripId, string AgentType, string? Title);

/// <summary>Which of my conversations a list shows (null: any).</summary>
public sealed record ConversationFilter(Guid? TripId, string? Status);

public sealed record MessageRow(
    Guid Id, Guid ConversationId, string Role, string Content, string? AgentName, string? Metadata,
    int? InputTokens, int? OutputTokens, DateTimeOffset CreatedAt);

/// <summary>Metadata is a JSON object as text (the API has checked it is one).</summary>
public sealed record NewMessage(string Role, string Content, string? AgentName, string? Metadata, int? InputTokens, int? OutputTokens);


/// <summary>What happened to a write on a conversation.</summary>
public abstract record ConversationChange
{
    public sealed record Done<T>(T Value) : ConversationChange;
    public sealed record NotFound : ConversationChange;
    /// <summary>Readable (a shared trip's conversation) but only its owner writes to it.</summary>
    public sealed record NotOwner : ConversationChange;
    public sealed record NotActive(string Status) : ConversationChange;
}

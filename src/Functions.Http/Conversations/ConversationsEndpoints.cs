using System.Globalization;
using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.Conversations;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Conversations;

public static class ConversationsEndpoints
{
    public static IServiceCollection AddConversations(this IServiceCollection services) =>
        services.AddJsonContracts(ConversationsJson.Default)
            .AddSingleton<ConversationStore>()
            .AddSingleton<IValidator<CreateConversationRequest>, CreateConversationRequestValidator>()
            .AddSingleton<IValidator<PostMessageRequest>, PostMessageRequestValidator>()
            .AddSingleton<IValidator<CloseConversationRequest>, CloseConversationRequestValidator>();

    public static RouteGroupBuilder MapConversations(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations").RequireAuthorization();
        conversations.MapPost("/", Create).WithName("CreateConversation").Validate<CreateConversationRequest>();
        conversations.MapGet("/", List).WithName("ListConversations");
        conversations.MapPost("/{conversationId}/messages", PostMessage).WithName("PostChatMessage").Validate<PostMessageRequest>();
        conversations.MapGet("/{conversationId}/messages", Messages).WithName("ListChatMessages");
        conversations.MapPost("/{conversationId}/close", Close).WithName("CloseConversation").Validate<CloseConversationRequest>();
        return api;
    }

    private static async Task<Results<Created<ConversationResponse>, ProblemHttpResult, ValidationProblem>> Create(
        CreateConversationRequest r, ClaimsPrincipal user, ConversationStore store, CancellationToken ct)
    {
        var created = await store.CreateAsync(user.UserId(), new NewConversation(r.TripId, r.AgentType!.Value.ToText(), r.Title?.Trim()), ct);
        if (created is null) return Problems.NotFound("The trip");
        return TypedResults.Created($"/api/conversations/{created.Id}", ConversationResponse.From(created));
    }

    private static async Task<Results<Ok<Page<ConversationResponse>>, ValidationProblem>> List(
        ClaimsPrincipal user, ConversationStore store, CancellationToken ct,
        string? tripId = null, string? status = null, string? limit = null, string? cursor = null)
    {
        if (!QueryText.TryParse<Guid>(tripId, out var tripFilter)) return Problems.Invalid("tripId", "tripId must be a trip id (UUID).");
        if (!EnumText.TryParseText<ConversationStatus>(status, out var statusFilter))
            return Problems.Invalid("status", $"status must be one of: {EnumText.Allowed<ConversationStatus>()}.");
        if (!QueryText.TryReadLimit(limit, out var take)) return Problems.Invalid("limit", QueryText.LimitRule);
        if (!TryReadCursor(cursor, out var afterAt, out var afterId)) return Problems.Invalid("cursor", "The cursor is not one this API issued.");

        var rows = await store.ListMineAsync(user.UserId(), new ConversationQuery(tripFilter, statusFilter?.ToText(), take + 1, afterAt, afterId), ct);
        var page = rows.Take(take).Select(ConversationResponse.From).ToList();
        var next = rows.Count > take ? EncodeCursor(page[^1].LastActivityAt, page[^1].Id) : null;
        return TypedResults.Ok(new Page<ConversationResponse>(page, next));
    }

    private static async Task<Results<Created<MessageResponse>, ProblemHttpResult, ValidationProblem>> PostMessage(
        Guid conversationId, PostMessageRequest r, ClaimsPrincipal user, ConversationStore store, CancellationToken ct)
    {
        var message = new NewMessage(r.Role!.Value.ToText(), r.Content!, r.AgentName?.Trim(), r.Metadata?.GetRawText(), r.InputTokens, r.OutputTokens);
        return await store.AppendMessageAsync(user.UserId(), conversationId, message, ct) switch
        {
            ConversationChange.Done<MessageRow> done => TypedResults.Created(
                $"/api/conversations/{conversationId}/messages", MessageResponse.From(done.Value)),
            ConversationChange.NotOwner => Problems.Forbidden("Only the conversation's owner can add messages to it."),
            ConversationChange.NotActive n => Problems.Conflict($"The conversation is {n.Status}; it takes no more messages."),
            _ => Problems.NotFound("The conversation"),
        };
    }

    private static async Task<Results<Ok<Page<MessageResponse>>, ProblemHttpResult, ValidationProblem>> Messages(
        Guid conversationId, ClaimsPrincipal user, ConversationStore store, CancellationToken ct, string? limit = null, string? cursor = null)
    {
        if (!QueryText.TryReadLimit(limit, out var take)) return Problems.Invalid("limit", QueryText.LimitRule);
        if (!TryReadCursor(cursor, out var beforeAt, out var beforeId)) return Problems.Invalid("cursor", "The cursor is not one this API issued.");

        var rows = await store.MessagesAsync(user.UserId(), conversationId, new MessageQuery(take + 1, beforeAt, beforeId), ct);
        if (rows is null) return Problems.NotFound("The conversation");
        var page = rows.Take(take).Select(MessageResponse.From).ToList();
        var next = rows.Count > take ? EncodeCursor(page[^1].CreatedAt, page[^1].Id) : null;
        return TypedResults.Ok(new Page<MessageResponse>(page, next));
    }

    private static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult, ValidationProblem>> Close(
        Guid conversationId, CloseConversationRequest r, ClaimsPrincipal user, ConversationStore store, CancellationToken ct) =>
        await store.CloseAsync(user.UserId(), conversationId, r.Status!.Value.ToText(), r.Reason?.Trim(), ct) switch
        {
            ConversationChange.Done<ConversationRow> done => TypedResults.Ok(ConversationResponse.From(done.Value)),
            ConversationChange.NotOwner => Problems.Forbidden("Only the conversation's owner can close it."),
            ConversationChange.NotActive n => Problems.Conflict($"The conversation is already {n.Status}."),
            _ => Problems.NotFound("The conversation"),
        };

    // Keyset cursors: (timestamp, id) of the page's last row; the timestamp round-trips exactly (microseconds fit in ticks).
    private static string EncodeCursor(DateTimeOffset at, Guid id) => Cursor.Encode(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), id.ToString());

    private static bool TryReadCursor(string? cursor, out DateTimeOffset? at, out Guid? id)
    {
        (at, id) = (null, null);
        if (cursor is null) return true;
        if (!Cursor.TryDecode(cursor, 2, out var parts)
            || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            || !Guid.TryParse(parts[1], out var g))
            return false;
        (at, id) = (t, g);
        return true;
    }
}

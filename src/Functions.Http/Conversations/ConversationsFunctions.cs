using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Conversations;
using TravelFunctions.Data.Paging;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Conversations;

public sealed class ConversationsFunctions(ConversationStore store)
{
    [Function("CreateConversation")]
    public async Task<Results<Created<ConversationResponse>, ProblemHttpResult, ValidationProblem>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "conversations")] HttpRequest req, [JsonBody] CreateConversationRequest r)
    {
        var created = await store.CreateAsync(req.UserId(), new NewConversation(r.TripId, r.AgentType!.Value.ToText(), r.Title?.Trim()),
            req.HttpContext.RequestAborted);
        if (created is null) return Problems.NotFound("The trip");
        return TypedResults.Created($"/api/conversations/{created.Id}", ConversationResponse.From(created));
    }

    [Function("ListConversations")]
    public async Task<Results<Ok<Page<ConversationResponse>>, ValidationProblem>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "conversations")] HttpRequest req, ConversationListQuery query)
    {
        var rows = await store.ListMineAsync(req.UserId(), query.Filter, query.Page, req.HttpContext.RequestAborted);
        return TypedResults.Ok(Pages.From(rows, query.Page, ConversationResponse.From, c => new(c.LastActivityAt, c.Id)));
    }

    /// <summary>
    /// A user posts `user` messages to their own conversation; `agent`, `system` and `tool` messages come from an agent
    /// client whose token has the agents:chat scope, on behalf of the conversation's owner.
    /// </summary>
    [Function("PostChatMessage")]
    [Authorize(Policy = AgentScopes.ChatPolicy)]
    public async Task<Results<Created<MessageResponse>, ProblemHttpResult, ValidationProblem>> PostMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "conversations/{conversationId}/messages")] HttpRequest req,
        Guid conversationId, [JsonBody] PostMessageRequest r)
    {
        var message = new NewMessage(r.Role!.Value.ToText(), r.Content!, r.AgentName?.Trim(), r.Metadata?.GetRawText(), r.InputTokens, r.OutputTokens);
        var ct = req.HttpContext.RequestAborted;
        var byAgent = TokenKinds.Of(req.HttpContext.User) == TokenKinds.Agent;
        if (!byAgent && r.Role != MessageRole.User)
            return Problems.Forbidden($"Only an agent client with the {AgentScopes.Chat} scope posts {r.Role.Value.ToText()} messages; a user posts user messages.");
        var outcome = byAgent
            ? await store.AppendAgentMessageAsync(conversationId, message, ct)
            : await store.AppendMessageAsync(req.UserId(), conversationId, message, ct);
        return outcome switch
        {
            ConversationChange.Done<MessageRow> done => TypedResults.Created(
                $"/api/conversations/{conversationId}/messages", MessageResponse.From(done.Value)),
            ConversationChange.NotOwner => Problems.Forbidden("Only the conversation's owner can add messages to it."),
            ConversationChange.NotActive n => Problems.Conflict($"The conversation is {n.Status}; it takes no more messages."),
            _ => Problems.NotFound("The conversation"),
        };
    }

    [Function("ListChatMessages")]
    public async Task<Results<Ok<Page<MessageResponse>>, ProblemHttpResult, ValidationProblem>> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "conversations/{conversationId}/messages")] HttpRequest req,
        Guid conversationId, MessageListQuery query)
    {
        var rows = await store.MessagesAsync(req.UserId(), conversationId, query.Page, req.HttpContext.RequestAborted);
        if (rows is null) return Problems.NotFound("The conversation");
        return TypedResults.Ok(Pages.From(rows, query.Page, MessageResponse.From, m => new(m.CreatedAt, m.Id)));
    }

    [Function("CloseConversation")]
    public async Task<Results<Ok<ConversationResponse>, ProblemHttpResult, ValidationProblem>> Close(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "conversations/{conversationId}/close")] HttpRequest req,
        Guid conversationId, [JsonBody] CloseConversationRequest r) =>
        await store.CloseAsync(req.UserId(), conversationId, r.Status!.Value.ToText(), r.Reason?.Trim(), req.HttpContext.RequestAborted) switch
        {
            ConversationChange.Done<ConversationRow> done => TypedResults.Ok(ConversationResponse.From(done.Value)),
            ConversationChange.NotOwner => Problems.Forbidden("Only the conversation's owner can close it."),
            ConversationChange.NotActive n => Problems.Conflict($"The conversation is already {n.Status}."),
            _ => Problems.NotFound("The conversation"),
        };
}

/// <summary>GET /api/conversations: mine, most recent activity first.</summary>
[InputConverter(typeof(QueryConverter<ConversationListQuery>))]
public sealed record ConversationListQuery(ConversationFilter Filter, PageRequest<DateTimeOffset> Page) : IQueryRecord<ConversationListQuery>
{
    public static ConversationListQuery Read(QueryReader query) => new(
        new ConversationFilter(query.Guid("tripId", "Only conversations about this trip."),
            query.Enum<ConversationStatus>("status", "Only conversations in this status.")?.ToText()),
        query.Page<DateTimeOffset>());
}

/// <summary>GET /api/conversations/{id}/messages: newest first.</summary>
[InputConverter(typeof(QueryConverter<MessageListQuery>))]
public sealed record MessageListQuery(PageRequest<DateTimeOffset> Page) : IQueryRecord<MessageListQuery>
{
    public static MessageListQuery Read(QueryReader query) => new(query.Page<DateTimeOffset>());
}

public static class ConversationsRegistration
{
    public static IServiceCollection AddConversations(this IServiceCollection services) =>
        services.AddJsonContracts(ConversationsJson.Default).AddSingleton<ConversationStore>();
}

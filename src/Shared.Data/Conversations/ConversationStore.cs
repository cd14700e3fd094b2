using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Conversations;

/// <summary>
/// Agent conversations and their chat messages, under RLS: the owner reads and writes; whoever can read
/// the conversation's trip reads it too. Messages are append-only and partitioned by month on created_at.
/// </summary>
public sealed class ConversationStore(Db db)
{
    private const string Columns = """
        c.id, c.user_id, c.trip_id, c.agent_type, c.title, c.status, c.close_reason,
        c.created_at, c.updated_at, c.closed_at, c.last_message_at, c.last_activity_at
        """;

    private const string MessageColumns = """
        m.id, m.conversation_id, m.role, m.content, m.agent_name, m.metadata::text AS metadata,
        m.input_tokens, m.output_tokens, m.created_at
        """;

    /// <summary>
    /// One page of a conversation's messages, newest first. created_at is bounded on both sides by
    /// parameters (the conversation's creation, and the cursor's time or now + 1 minute), so the planner
    /// prunes to the months in between and never touches older months or the DEFAULT partition.
    /// The row comparison does the exact keyset; the plain bounds are what pruning can use.
    /// Public so the partition-pruning test EXPLAINs exactly this text.
    /// </summary>
    public const string MessagePageSql = $"""
        SELECT {MessageColumns}
          FROM chat_messages m
         WHERE m.conversation_id = @conversationId
           AND m.created_at >= @from
           AND m.created_at <= @to
           AND (@beforeId::uuid IS NULL OR (m.created_at, m.id) < (@to, @beforeId::uuid))
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT @limit
        """;

    /// <summary>Null when the trip is given but the caller cannot read it.</summary>
    public Task<ConversationRow?> CreateAsync(Guid userId, NewConversation c, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx =>
        {
            if (c.TripId is { } tripId && !await tx.QuerySingleAsync<bool>("SELECT app.can_read_trip(@tripId)", new { tripId }))
                return null;
            return await tx.QuerySingleAsync<ConversationRow>($"""
                INSERT INTO conversations AS c (user_id, trip_id, agent_type, title)
                VALUES (app.current_user_id(), @TripId, @AgentType, @Title)
                RETURNING {Columns}
                """, c);
        }, ct);

    /// <summary>Mine, newest activity first.</summary>
    public Task<IReadOnlyList<ConversationRow>> ListMineAsync(Guid userId, ConversationFilter q, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<ConversationRow>>(userId, async tx => (await tx.QueryAsync<ConversationRow>($"""
            SELECT {Columns}
              FROM conversations c
             WHERE c.user_id = app.current_user_id()
               AND (@TripId::uuid IS NULL OR c.trip_id = @TripId)
               AND (@Status::text IS NULL OR c.status = @Status)
               AND (@afterActivityAt::timestamptz IS NULL OR (c.last_activity_at, c.id) < (@afterActivityAt, @afterId))
             ORDER BY c.last_activity_at DESC, c.id DESC
             LIMIT @take
            """, new { q.TripId, q.Status, afterActivityAt = page.After?.Value, afterId = page.After?.Id, take = page.Take })).ToList(), ct);

    /// <summary>Appends a message and moves the conversation's last_message_at, in one statement sent with the
    /// request's begin_request (the feeds' hot path: two round trips with COMMIT).</summary>
    public Task<ConversationChange> AppendMessageAsync(Guid userId, Guid conversationId, NewMessage m, CancellationToken ct) =>
        db.AsUserAsync(userId, AppendMessageSql,
            new { conversationId, m.Role, m.Content, m.AgentName, m.Metadata, m.InputTokens, m.OutputTokens },
            grid => grid.ReadSingleOrDefaultAsync<MessageRow>(),
            async (row, tx) => row is not null ? new ConversationChange.Done<MessageRow>(row) : await WhyNotWritableAsync(tx, conversationId),
            ct);

    /// <summary>
    /// An agent client's message (any role): written on behalf of the conversation's owner, under row-level security
    /// as that user. NotFound when there is no such conversation or its owner's account is no longer active.
    /// </summary>
    public async Task<ConversationChange> AppendAgentMessageAsync(Guid conversationId, NewMessage m, CancellationToken ct)
    {
        var owner = await db.AnonymousAsync(tx => tx.ExecuteScalarAsync<Guid?>(
            "SELECT app.conversation_owner(@conversationId)", new { conversationId }), ct);
        if (owner is not { } userId) return new ConversationChange.NotFound();
        try
        {
            return await AppendMessageAsync(userId, conversationId, m, ct);
        }
        catch (AccountInactiveException)
        {
            return new ConversationChange.NotFound();
        }
    }

    private const string AppendMessageSql = $"""
        WITH c AS (
          UPDATE conversations SET last_message_at = greatest(last_message_at, now())
           WHERE id = @conversationId AND user_id = app.current_user_id() AND status = 'active'
          RETURNING id, user_id)
        INSERT INTO chat_messages AS m (conversation_id, user_id, role, content, agent_name, metadata, input_tokens, output_tokens)
        SELECT c.id, c.user_id, @Role, @Content, @AgentName, @Metadata::jsonb, @InputTokens, @OutputTokens FROM c
        RETURNING {MessageColumns}
        """;

    /// <summary>Newest first. Null when the conversation does not exist or the caller cannot read it.</summary>
    public Task<IReadOnlyList<MessageRow>?> MessagesAsync(Guid userId, Guid conversationId, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<MessageRow>?>(userId, async tx =>
        {
            var bounds = await tx.QuerySingleOrDefaultAsync<PageBounds>(
                "SELECT created_at AS range_from, now() + interval '1 minute' AS range_to FROM conversations WHERE id = @conversationId", new { conversationId });
            if (bounds is null) return null;
            var args = MessagePageArgs(conversationId, bounds.RangeFrom, page.After?.Value ?? bounds.RangeTo, page.After?.Id, page.Take);
            return (await tx.QueryAsync<MessageRow>(MessagePageSql, args)).ToList();
        }, ct);

    /// <summary>The parameters of <see cref="MessagePageSql"/>.</summary>
    public static object MessagePageArgs(Guid conversationId, DateTimeOffset from, DateTimeOffset to, Guid? beforeId, int limit) =>
        new { conversationId, from, to, beforeId, limit };

    public Task<ConversationChange> CloseAsync(Guid userId, Guid conversationId, string status, string? reason, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx =>
        {
            var row = await tx.QuerySingleOrDefaultAsync<ConversationRow>($"""
                UPDATE conversations AS c SET status = @status, close_reason = @reason, closed_at = now()
                 WHERE c.id = @conversationId AND c.user_id = app.current_user_id() AND c.status = 'active'
                RETURNING {Columns}
                """, new { conversationId, status, reason });
            return row is not null ? new ConversationChange.Done<ConversationRow>(row) : await WhyNotWritableAsync(tx, conversationId);
        }, ct);

    private static async Task<ConversationChange> WhyNotWritableAsync(DbTx tx, Guid conversationId)
    {
        var state = await tx.QuerySingleOrDefaultAsync<WriteState>(
            "SELECT user_id = app.current_user_id() AS mine, status FROM conversations WHERE id = @conversationId", new { conversationId });
        return state switch
        {
            null => new ConversationChange.NotFound(),
            { Mine: false } => new ConversationChange.NotOwner(),
            _ => new ConversationChange.NotActive(state.Status),
        };
    }

    internal sealed record PageBounds(DateTimeOffset RangeFrom, DateTimeOffset RangeTo);
    internal sealed record WriteState(bool Mine, string Status);
}

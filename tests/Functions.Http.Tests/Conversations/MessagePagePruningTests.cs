using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using TravelFunctions.Data.Conversations;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Conversations;

/// <summary>A message page reads only the months between the conversation's start and the page's upper bound.</summary>
public sealed class MessagePagePruningTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_page_query_plans_only_the_needed_monthly_partitions()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        var now = DateTimeOffset.UtcNow;
        var thisMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var from = thisMonth.AddMonths(-1).AddDays(10); // the conversation started last month
        var to = now.AddMinutes(1);                     // first page: up to now

        // Exactly the store's page SQL, as the API runs it: travel_app through PgBouncer, app.user_id set.
        var relations = await PlannedRelationsAsync(user.Id, ConversationStore.MessagePageSql, ConversationStore.MessagePageArgs(id, from, to, null, 21));
        var partitions = relations.Where(r => r.StartsWith("chat_messages", StringComparison.Ordinal)).ToHashSet();
        var expected = new HashSet<string> { $"chat_messages_p{thisMonth.AddMonths(-1):yyyyMM}", $"chat_messages_p{thisMonth:yyyyMM}" };
        if (to >= thisMonth.AddMonths(1)) expected.Add($"chat_messages_p{thisMonth.AddMonths(1):yyyyMM}");
        Assert.NotEmpty(partitions);
        Assert.True(partitions.IsSubsetOf(expected), "Planned: " + string.Join(", ", partitions));
        Assert.DoesNotContain("chat_messages_default", partitions);

        // A later page (cursor in last month) drops this month too.
        var cursorTime = thisMonth.AddMonths(-1).AddDays(15);
        var later = (await PlannedRelationsAsync(user.Id, ConversationStore.MessagePageSql,
                ConversationStore.MessagePageArgs(id, from, cursorTime, Guid.NewGuid(), 21)))
            .Where(r => r.StartsWith("chat_messages", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal([$"chat_messages_p{thisMonth.AddMonths(-1):yyyyMM}"], later);

        // The table really has many more months (12 back, 3 ahead, DEFAULT), so the pruning is real.
        Assert.True(await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'chat_messages'::regclass") >= 16);
    }

    private async Task<List<string>> PlannedRelationsAsync(Guid userId, string sql, object args)
    {
        await using var conn = new NpgsqlConnection(api.Database.Pooled);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("SELECT set_config('app.user_id', @u, true)", new { u = userId.ToString() }, tx);
        var plan = await conn.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + sql, args, tx);
        var names = new List<string>();
        Collect(JsonNode.Parse(plan!)!, names);
        return names;
    }

    private static void Collect(JsonNode node, List<string> names)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == "Relation Name" && value is not null) names.Add(value.GetValue<string>());
                    else if (value is not null) Collect(value, names);
                }
                break;
            case JsonArray a:
                foreach (var item in a) if (item is not null) Collect(item, names);
                break;
        }
    }
}

using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>maintenance.job_runs and other assertions, read as the superuser so they see everything.</summary>
public static class Ledger
{
    public static async Task<LedgerRow> RowAsync(this TestDatabase database, string invocationId)
    {
        await using var conn = new NpgsqlConnection(database.Admin);
        return await conn.QuerySingleAsync<LedgerRow>(
            "SELECT id, job, invocation_id AS invocationid, outcome, finished_at AS finishedat, summary::text AS summary, error FROM maintenance.job_runs WHERE invocation_id = @invocationId",
            new { invocationId });
    }

    public static async Task<long> RowCountAsync(this TestDatabase database, string invocationId) =>
        await database.ScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs WHERE invocation_id = @invocationId", new { invocationId });

    public static async Task<T> ScalarAsync<T>(this TestDatabase database, string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(database.Admin);
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public static async Task ExecAsync(this TestDatabase database, string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(database.Admin);
        await conn.ExecuteAsync(sql, args);
    }
}

public sealed record LedgerRow(long Id, string Job, string InvocationId, string Outcome, DateTime? FinishedAt, string? Summary, string? Error)
{
    public JsonObject SummaryJson => JsonNode.Parse(Summary!)!.AsObject();

    public JsonObject Unit(string name) =>
        SummaryJson["units"]!.AsArray().Select(u => u!.AsObject()).Single(u => u["unit"]!.GetValue<string>() == name);
}

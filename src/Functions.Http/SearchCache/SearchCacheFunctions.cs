using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.SearchCache;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.SearchCache;

/// <summary>Service functions for the platform's agents: need a token with scope agents:search-cache (docs/agents.md).</summary>
[Authorize(Policy = AgentScopes.SearchCachePolicy)]
public sealed class SearchCacheFunctions(SearchCacheStore store)
{
    /// <summary>Every query parameter is a search parameter. 200 with {kind, parameters, results, cachedAt, expiresAt}; 404 when absent or expired.</summary>
    [Function("GetCachedSearch")]
    public async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "search-cache/{kind}")] HttpRequest req, string kind)
    {
        if (!TryKind(kind, out var k)) return BadKind();
        var raw = new List<KeyValuePair<string, string?>>();
        foreach (var (name, values) in req.Query)
        {
            if (values.Count > 1) return Problems.Invalid(name, "The parameter is given twice.");
            raw.Add(new(name, values[0]));
        }
        if (!SearchCacheKey.TryCreate(raw, out var key, out var badParameter, out var error)) return Problems.Invalid(badParameter!, error!);
        var entry = await store.GetAsync(k, key!.Hash, req.HttpContext.RequestAborted);
        return entry is null ? Problems.NotFound("A cached search with these parameters") : TypedResults.Text(entry, "application/json");
    }

    [Function("PutCachedSearch")]
    public async Task<Results<NoContent, ValidationProblem>> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "search-cache/{kind}")] HttpRequest req, string kind,
        [JsonBody] PutSearchCacheRequest r)
    {
        if (!TryKind(kind, out var k)) return BadKind();
        var raw = new List<KeyValuePair<string, string?>>();
        foreach (var (name, value) in r.Parameters!)
        {
            if (!SearchCacheKey.TryScalarText(value, out var text))
                return Problems.Invalid($"parameters.{name}", "A search parameter is a string, number, boolean or null.");
            raw.Add(new(name, text));
        }
        if (!SearchCacheKey.TryCreate(raw, out var key, out var badParameter, out var error))
            return Problems.Invalid(badParameter == "parameters" ? "parameters" : $"parameters.{badParameter}", error!);
        var ttl = r.TtlSeconds ?? (k == SearchCacheKind.Flight ? 3600 : 7200);
        await store.PutAsync(k, key!, r.Results!.Value.GetRawText(), ttl, req.HttpContext.RequestAborted);
        return TypedResults.NoContent();
    }

    private static bool TryKind(string text, out SearchCacheKind kind)
    {
        kind = text == "flight" ? SearchCacheKind.Flight : SearchCacheKind.Hotel;
        return text is "flight" or "hotel";
    }

    private static ValidationProblem BadKind() => Problems.Invalid("kind", "kind is flight or hotel.");
}

public static class SearchCacheRegistration
{
    public static IServiceCollection AddSearchCache(this IServiceCollection services) =>
        services.AddJsonContracts(SearchCacheJson.Default).AddSingleton<SearchCacheStore>();
}

using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.SearchCache;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.SearchCache;

public static class SearchCacheEndpoints
{
    public static IServiceCollection AddSearchCache(this IServiceCollection services) =>
        services.AddJsonContracts(SearchCacheJson.Default)
            .AddSingleton<SearchCacheStore>()
            .AddSingleton<IValidator<PutSearchCacheRequest>, PutSearchCacheRequestValidator>();

    /// <summary>Service endpoints for the platform's agents: need a token with scope agents:search-cache (docs/agents.md).</summary>
    public static RouteGroupBuilder MapSearchCache(this RouteGroupBuilder api)
    {
        var cache = api.MapGroup("/search-cache").WithTags("Agents").RequireAuthorization(AgentScopes.SearchCachePolicy);
        cache.MapGet("/{kind}", Get).WithName("GetCachedSearch");
        cache.MapPut("/{kind}", Put).WithName("PutCachedSearch").Validate<PutSearchCacheRequest>();
        return api;
    }

    /// <summary>Every query parameter is a search parameter. 200 with {kind, parameters, results, cachedAt, expiresAt}; 404 when absent or expired.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> Get(
        string kind, HttpRequest request, SearchCacheStore store, CancellationToken ct)
    {
        if (!TryKind(kind, out var k)) return BadKind();
        var raw = new List<KeyValuePair<string, string?>>();
        foreach (var (name, values) in request.Query)
        {
            if (values.Count > 1) return Problems.Invalid(name, "The parameter is given twice.");
            raw.Add(new(name, values[0]));
        }
        if (!SearchCacheKey.TryCreate(raw, out var key, out var badParameter, out var error)) return Problems.Invalid(badParameter!, error!);
        var entry = await store.GetAsync(k, key!.Hash, ct);
        return entry is null ? Problems.NotFound("A cached search with these parameters") : TypedResults.Text(entry, "application/json");
    }

    private static async Task<Results<NoContent, ValidationProblem>> Put(
        string kind, PutSearchCacheRequest r, SearchCacheStore store, CancellationToken ct)
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
        await store.PutAsync(k, key!, r.Results!.Value.GetRawText(), ttl, ct);
        return TypedResults.NoContent();
    }

    private static bool TryKind(string text, out SearchCacheKind kind)
    {
        kind = text == "flight" ? SearchCacheKind.Flight : SearchCacheKind.Hotel;
        return text is "flight" or "hotel";
    }

    private static ValidationProblem BadKind() => Problems.Invalid("kind", "kind is flight or hotel.");
}

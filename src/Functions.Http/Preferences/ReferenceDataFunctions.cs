using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Preferences;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Preferences;

/// <summary>
/// The reference data trip preferences are chosen from, for any signed-in caller (a user or an agent). It changes
/// only with a migration, so answers carry a content ETag and may be cached for an hour; If-None-Match gets 304.
/// </summary>
[Authorize(Policy = AgentScopes.UserOrAgentPolicy)]
public sealed class ReferenceDataFunctions(ReferenceDataStore store)
{
    [Function("ListDietaryRestrictions")]
    public async Task<Results<Ok<Page<ReferenceItem>>, NotModified>> DietaryRestrictions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reference/dietary-restrictions")] HttpRequest req, IfNoneMatch ifNoneMatch) =>
        Cacheable(req, ifNoneMatch, await store.DietaryRestrictionsAsync(req.HttpContext.RequestAborted));

    [Function("ListAccessibilityNeeds")]
    public async Task<Results<Ok<Page<ReferenceItem>>, NotModified>> AccessibilityNeeds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reference/accessibility-needs")] HttpRequest req, IfNoneMatch ifNoneMatch) =>
        Cacheable(req, ifNoneMatch, await store.AccessibilityNeedsAsync(req.HttpContext.RequestAborted));

    [Function("ListInterestCategories")]
    public async Task<Results<Ok<CategoryTree>, NotModified>> InterestCategories(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reference/interest-categories")] HttpRequest req, IfNoneMatch ifNoneMatch)
    {
        var rows = await store.CategoriesAsync(req.HttpContext.RequestAborted);
        var etag = IfNoneMatch.ContentETag(rows.Select(r => $"{r.Key}|{r.DisplayName}|{r.ParentKey}|{r.Level}|{r.SortOrder}"));
        if (Conditional(req, ifNoneMatch, etag)) return NotModified.Instance;
        return TypedResults.Ok(CategoryTree.From(rows));
    }

    private static Results<Ok<Page<ReferenceItem>>, NotModified> Cacheable(HttpRequest req, IfNoneMatch ifNoneMatch, List<ReferenceEntry> entries)
    {
        var etag = IfNoneMatch.ContentETag(entries.Select(e => $"{e.Key}|{e.DisplayName}"));
        if (Conditional(req, ifNoneMatch, etag)) return NotModified.Instance;
        return TypedResults.Ok(new Page<ReferenceItem>(entries.ConvertAll(ReferenceItem.From), null));
    }

    /// <summary>Sets the validators a cache needs; true when the client's copy is current (answer 304).</summary>
    private static bool Conditional(HttpRequest req, IfNoneMatch ifNoneMatch, string etag)
    {
        var headers = req.HttpContext.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "public, max-age=3600";
        return ifNoneMatch.Matches(etag);
    }
}

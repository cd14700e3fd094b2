using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Sharing;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Sharing;

/// <summary>The shared view: no login, rate limited per client address, the same 404 for every token that is not a live link.</summary>
public sealed class SharedTripFunctions(ShareLinkStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Function("GetSharedTrip")]
    [AllowAnonymous, EnableRateLimiting(AuthRateLimiter.SharedPolicyName)]
    public async Task<Results<Ok<SharedTripResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shared/{token}")] HttpRequest req, string token)
    {
        if (await store.ReadSharedAsync(token, req.HttpContext.RequestAborted) is not { } json)
            return Problems.NotFound("The shared trip");
        // A revoked link must stop working at once: no shared cache keeps a copy.
        req.HttpContext.Response.Headers.CacheControl = "private, no-cache";
        return TypedResults.Ok(JsonSerializer.Deserialize<SharedTripResponse>(json, Json)!);
    }
}

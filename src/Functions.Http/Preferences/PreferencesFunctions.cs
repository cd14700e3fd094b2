using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Preferences;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Preferences;

/// <summary>A trip's preferences and interests: members read them, the owner and editors replace them.</summary>
public sealed class PreferencesFunctions(TripPreferencesStore store)
{
    [Function("GetTripPreferences")]
    public async Task<Results<Ok<TripPreferencesResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/{tripId}/preferences")] HttpRequest req, Guid tripId)
    {
        if (await store.GetAsync(req.UserId(), tripId, req.HttpContext.RequestAborted) is not { } preferences)
            return Problems.NotFound("The trip");
        req.HttpContext.Response.Headers.ETag = IfMatch.ETag(preferences.Version);
        return TypedResults.Ok(TripPreferencesResponse.From(preferences));
    }

    /// <summary>Replaces the whole document; If-Match "0" saves only if none is saved yet.</summary>
    [Function("PutTripPreferences")]
    public async Task<Results<Ok<TripPreferencesResponse>, ProblemHttpResult, ValidationProblem>> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "trips/{tripId}/preferences")] HttpRequest req, Guid tripId,
        [JsonBody] TripPreferencesRequest r, IfMatch ifMatch)
    {
        if (ifMatch.CannotMatch) return Problems.PreconditionFailed();
        switch (await store.SaveAsync(req.UserId(), tripId, ifMatch.Version, r.ToDocument(), req.HttpContext.RequestAborted))
        {
            case PreferencesChange.Saved s:
                req.HttpContext.Response.Headers.ETag = IfMatch.ETag(s.Preferences.Version);
                return TypedResults.Ok(TripPreferencesResponse.From(s.Preferences));
            case PreferencesChange.Forbidden: return Problems.Forbidden("Only the owner and editors can change this trip's preferences.");
            case PreferencesChange.Stale: return Problems.PreconditionFailed();
            case PreferencesChange.UnknownKeys u:
                return Problems.Invalid(u.Field, $"Unknown: {string.Join(", ", u.Keys)}. See /api/reference/ for the keys that exist.");
            default: return Problems.NotFound("The trip");
        }
    }
}

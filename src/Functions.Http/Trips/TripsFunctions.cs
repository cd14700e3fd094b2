using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public sealed class TripsFunctions(TripStore store)
{
    [Function("CreateTrip")]
    public async Task<Created<TripResponse>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips")] HttpRequest req, [JsonBody] CreateTripRequest r)
    {
        var trip = await store.CreateAsync(req.UserId(), new NewTrip(
            Guid.NewGuid(), r.Title!.Trim(), r.Description, r.TripType!.Value.ToText(), r.StartDate!.Value, r.EndDate!.Value,
            r.OriginCity?.Trim(), r.OriginCountry, r.Budget?.Currency, r.Budget?.Amount, r.TravelerCount!.Value,
            ToDestinations(r.Destinations) ?? []), req.HttpContext.RequestAborted);
        req.HttpContext.Response.Headers.ETag = IfMatch.ETag(trip.Version);
        return TypedResults.Created($"/api/trips/{trip.Id}", TripResponse.From(trip));
    }

    [Function("ListTrips")]
    public async Task<Ok<Page<TripResponse>>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips")] HttpRequest req, TripListQuery query)
    {
        var rows = await store.ListAsync(req.UserId(), query.Filter, query.Page, req.HttpContext.RequestAborted);
        return TypedResults.Ok(Pages.From(rows, query.Page, TripResponse.From, t => new(t.StartDate, t.Id)));
    }

    [Function("GetTripStats")]
    public async Task<Ok<TripStats>> Stats([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/stats")] HttpRequest req) =>
        TypedResults.Ok(await store.StatsAsync(req.UserId(), req.HttpContext.RequestAborted));

    [Function("GetTrip")]
    public async Task<Results<Ok<TripResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/{tripId}")] HttpRequest req, Guid tripId)
    {
        var trip = await store.GetAsync(req.UserId(), tripId, req.HttpContext.RequestAborted);
        if (trip is null) return Problems.NotFound("The trip");
        req.HttpContext.Response.Headers.ETag = IfMatch.ETag(trip.Version);
        return TypedResults.Ok(TripResponse.From(trip));
    }

    [Function("UpdateTrip")]
    public async Task<Results<Ok<TripResponse>, ProblemHttpResult, ValidationProblem>> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "trips/{tripId}")] HttpRequest req, Guid tripId,
        [JsonBody] UpdateTripRequest r, IfMatch ifMatch)
    {
        if (ifMatch.CannotMatch) return Problems.PreconditionFailed();
        var patch = new TripPatch(r.Title?.Trim(), r.Description, r.TripType?.ToText(), r.Status?.ToText(), r.StartDate, r.EndDate,
            r.OriginCity?.Trim(), r.OriginCountry, r.Budget?.Currency, r.Budget?.Amount, r.TravelerCount,
            r.Clears("destinations", r.Destinations) ? [] : ToDestinations(r.Destinations),
            ClearDescription: r.Clears("description", r.Description), ClearOriginCity: r.Clears("originCity", r.OriginCity),
            ClearOriginCountry: r.Clears("originCountry", r.OriginCountry), ClearBudget: r.Clears("budget", r.Budget));
        switch (await store.UpdateAsync(req.UserId(), tripId, ifMatch.Version, patch, req.HttpContext.RequestAborted))
        {
            case TripChange.Updated u:
                req.HttpContext.Response.Headers.ETag = IfMatch.ETag(u.Trip.Version);
                return TypedResults.Ok(TripResponse.From(u.Trip));
            case TripChange.Forbidden: return Problems.Forbidden("Only the owner and editors can change this trip.");
            case TripChange.Stale: return Problems.PreconditionFailed();
            case TripChange.Invalid i: return Problems.Invalid(i.Field, i.Message);
            case TripChange.Conflict c: return Problems.Conflict(c.Detail);
            default: return Problems.NotFound("The trip");
        }
    }

    [Function("DeleteTrip")]
    public async Task<Results<NoContent, ProblemHttpResult>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "trips/{tripId}")] HttpRequest req, Guid tripId) =>
        await store.DeleteAsync(req.UserId(), tripId, req.HttpContext.RequestAborted) switch
        {
            TripDeletion.Deleted => TypedResults.NoContent(),
            TripDeletion.Forbidden => Problems.Forbidden("Only the owner can delete this trip."),
            TripDeletion.HasConfirmedBookings => Problems.Conflict("The trip has confirmed bookings; cancel them first."),
            _ => Problems.NotFound("The trip"),
        };

    private static List<NewDestination>? ToDestinations(IReadOnlyList<DestinationInput>? input) =>
        input?.Select(d => new NewDestination(d.City!.Trim(), d.Country!, d.ArrivalDate, d.DepartureDate)).ToList();
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Places;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Places;

namespace TravelFunctions.Http.Trips;

/// <summary>
/// The booking links agents import for a trip (POST /api/places/booking-links), for its owner and accepted
/// collaborators; anyone else gets the 404 of every trip sub-resource.
/// </summary>
public sealed class TripBookingLinksFunctions(PlaceReader reader, TimeProvider clock)
{
    [Function("ListTripBookingLinks")]
    public async Task<Results<Ok<TripBookingLinks>, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "trips/{tripId}/booking-links")] HttpRequest req, Guid tripId) =>
        await reader.TripBookingLinksAsync(req.UserId(), tripId, clock.GetUtcNow(), req.HttpContext.RequestAborted) is { } links
            ? TypedResults.Ok(new TripBookingLinks(links.ConvertAll(BookingLinkResponse.From))) : Problems.NotFound("The trip");
}

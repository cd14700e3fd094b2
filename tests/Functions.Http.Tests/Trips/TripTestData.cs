using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;

namespace TravelFunctions.Tests.Trips;

public static class TripTestData
{
    public static object NewTrip(string title = "Lisbon long weekend", string start = "2027-05-01", string end = "2027-05-05", object? budget = null) => new
    {
        title,
        description = "Food, fado and trams",
        tripType = "leisure",
        startDate = start,
        endDate = end,
        originCity = "Paris",
        originCountry = "FR",
        destinations = new[] { new { city = "Lisbon", country = "PT", arrivalDate = start, departureDate = end } },
        budget = budget ?? new { amount = 1500.50m, currency = "EUR" },
        travelerCount = 2,
    };

    public static async Task<JsonNode> CreateTripAsync(this TestUser user, object? trip = null)
    {
        var response = await user.Client.PostAsJsonAsync("/api/trips", trip ?? NewTrip());
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    /// <summary>Owner invites, invitee accepts: the invitee becomes an accepted collaborator with the role.</summary>
    public static async Task ShareAsync(this TestUser owner, Guid tripId, TestUser with, string role)
    {
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = with.Email, role }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        await (await with.Client.PostAsync($"/api/trips/{tripId}/collaborators/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
    }
}

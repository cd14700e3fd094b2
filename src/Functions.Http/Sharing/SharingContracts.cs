using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;
using TravelFunctions.Data.Sharing;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Sharing;

/// <summary>POST /api/trips/{id}/share-links: an optional label for the owner's own list ("family", "blog").</summary>
public sealed record CreateShareLinkRequest(string? Label);

public sealed record ShareLinkResponse(Guid Id, string? Label, bool Revoked, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ShareLinkResponse From(ShareLinkRow l) => new(l.Id, l.Label, l.RevokedAt is not null, l.CreatedAt, l.RevokedAt);
}

/// <summary>A new link: the token and its URL are shown this once; the platform keeps only a hash.</summary>
public sealed record CreatedShareLink(Guid Id, string? Label, string Token, string Url, DateTimeOffset CreatedAt);

[InputConverter(typeof(QueryConverter<ShareLinkListQuery>))]
public sealed record ShareLinkListQuery(PageRequest<DateTimeOffset> Page) : IQueryRecord<ShareLinkListQuery>
{
    public static ShareLinkListQuery Read(QueryReader query) => new(query.Page<DateTimeOffset>());
}

public sealed record SharedDestination(string City, string Country, DateOnly? ArrivalDate, DateOnly? DepartureDate);
public sealed record SharedAttraction(Guid Id, string Name);
public sealed record SharedItem(int Position, string Type, string Title, string? Description, string? StartTime, string? EndTime,
    int? DurationMinutes, decimal? CostPerPerson, string? Currency, bool BookingRequired, string Status, SharedAttraction? Attraction);
public sealed record SharedDay(int DayNumber, DateOnly Date, string? City, string? Title, IReadOnlyList<SharedItem> Items);
public sealed record SharedItinerary(string? Title, string GeneratedBy, string? ModelVersion, IReadOnlyList<SharedDay> Days);

/// <summary>
/// GET /api/shared/{token}: the trip's plan as its owner shared it, with no one's personal data (no names, emails or
/// ids of people, no bookings, budget or spending); itinerary is null when the trip has none.
/// </summary>
public sealed record SharedTripResponse(
    string Title, string? Description, string TripType, string Status, DateOnly StartDate, DateOnly EndDate, int TravelerCount,
    IReadOnlyList<SharedDestination> Destinations, SharedItinerary? Itinerary);

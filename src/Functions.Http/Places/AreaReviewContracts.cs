using TravelFunctions.Data.Places;

namespace TravelFunctions.Http.Places;

/// <summary>
/// POST /api/places/city-areas: creates the area, or updates the city's area of the same name (case and accents
/// never matter; the new spelling is kept). A write replaces every descriptive field (absent means none).
/// </summary>
public sealed record UpsertCityAreaRequest(Guid? CityId, string? Name, string? Description, GeoPoint? Center, List<string>? Tags);

/// <summary>
/// POST /api/places/attraction-reviews: caches a provider's review of an attraction, or refreshes the one with the
/// same source and externalReviewId. rating 1..5; reviewDate the day it was written (yyyy-MM-dd).
/// </summary>
public sealed record UpsertReviewRequest(Guid? AttractionId, string? Source, string? ExternalReviewId, string? AuthorName, int? Rating,
    string? Text, string? Language, DateOnly? ReviewDate);

public sealed record CityAreaResponse(Guid Id, Guid CityId, string Name, string? Description, GeoPoint? Center, string[] Tags,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CityAreaResponse From(CityAreaRow r) => new(r.Id, r.CityId, r.Name, r.Description,
        r.Lat is null ? null : new GeoPoint(r.Lat, r.Lon), r.Tags, r.CreatedAt, r.UpdatedAt);
}

/// <summary>A city's areas by name (a city has tens, not thousands: one list, not pages).</summary>
public sealed record CityAreas(IReadOnlyList<CityAreaResponse> Items);

/// <summary>In a city's read: each area's id and name (GET .../areas has the rest).</summary>
public sealed record CityAreaRef(Guid Id, string Name);

/// <summary>cachedAt: when an agent last imported it; reviews older than the cache keeps them (30 days) are not listed.</summary>
public sealed record ReviewResponse(Guid Id, Guid AttractionId, string Source, string ExternalReviewId, string? AuthorName, int Rating,
    string? Text, string? Language, DateOnly? ReviewDate, DateTimeOffset CachedAt)
{
    public static ReviewResponse From(ReviewRow r) => new(r.Id, r.AttractionId, r.Source, r.ExternalReviewId, r.AuthorName, r.Rating,
        r.ReviewText, r.Language, r.ReviewDate, r.CachedAt);
}

/// <summary>A trip's unexpired booking links, by provider.</summary>
public sealed record TripBookingLinks(IReadOnlyList<BookingLinkResponse> Items);

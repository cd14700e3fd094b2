using System.Text.Json;
using TravelFunctions.Data.Places;

namespace TravelFunctions.Http.Places;

public sealed record GeoPoint(double? Lat, double? Lon);
public sealed record PriceInput(decimal? Amount, string? Currency);
public sealed record DailyCosts(int? Budget, int? Mid, int? Luxury);
public sealed record OpeningInterval(string? Open, string? Close);
public sealed record ExternalIds(string? GooglePlaces, string? Tripadvisor, string? GetYourGuide, string? Viator);

/// <summary>PUT /api/places/countries/{isoCode}: creates or replaces the country with this ISO 3166-1 alpha-2 code.</summary>
public sealed record UpsertCountryRequest(string? Name, GeoPoint? Centroid, string? CurrencyCode, string? Timezone,
    decimal? PopularityScore, DailyCosts? DailyCost);

/// <summary>POST /api/places/cities: creates the city, or updates the one with the same googlePlacesId.</summary>
public sealed record UpsertCityRequest(string? GooglePlacesId, string? CountryCode, string? Name, string? NameLocal, List<string>? Aliases,
    GeoPoint? Location, string? CityType, int? Population, decimal? PopularityScore, string? IataCode, string? Timezone);

/// <summary>
/// POST /api/places/attractions: creates the attraction, or updates the one any of its externalIds already names
/// (ids the import does not carry are kept). openingHours: {"monday": [{"open": "09:00", "close": "17:00"}], ...}
/// in the attraction's local time; a day absent is closed. areaId: one of the city's areas (POST /api/places/city-areas), or none.
/// </summary>
public sealed record UpsertAttractionRequest(Guid? CityId, string? Name, string? NameLocal, string? Type, List<string>? Categories,
    string? Address, GeoPoint? Location, Dictionary<string, List<OpeningInterval>>? OpeningHours, int? TypicalVisitMinutes,
    string? Crowdedness, string? PricingType, PriceInput? PriceAdult, decimal? Rating, int? ReviewCount,
    Dictionary<string, JsonElement>? Accessibility, List<string>? Tags, ExternalIds? ExternalIds, List<string>? ImageUrls,
    JsonElement? ExternalData, bool? IsVerified, Guid? AreaId);

/// <summary>POST /api/places/booking-links: one link per thing (attraction, trip, itinerary item) and provider; again replaces it.</summary>
public sealed record UpsertBookingLinkRequest(string? LinkableType, Guid? LinkableId, string? Provider, string? BookingUrl,
    string? DeeplinkUrl, PriceInput? PriceFrom, string? AffiliateCode, DateTimeOffset? ExpiresAt);

public sealed record CountryResponse(Guid Id, string IsoCode, string Name, GeoPoint? Centroid, string? CurrencyCode, string Timezone,
    decimal? PopularityScore, DailyCosts DailyCost, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CountryResponse From(CountryRow r) => new(r.Id, r.IsoCode, r.Name, r.Lat is null ? null : new GeoPoint(r.Lat, r.Lon),
        r.CurrencyCode, r.Timezone, r.PopularityScore, new DailyCosts(r.DailyCostBudget, r.DailyCostMid, r.DailyCostLuxury), r.CreatedAt, r.UpdatedAt);
}

/// <summary>timezone: the city's own, or its country's. areas: its neighbourhoods by name (id and name; GET .../areas has the rest).</summary>
public sealed record CityResponse(Guid Id, Guid CountryId, string CountryCode, string Name, string? NameLocal, string[] Aliases,
    GeoPoint Location, string? CityType, int? Population, decimal? PopularityScore, string? IataCode, string Timezone, string GooglePlacesId,
    IReadOnlyList<CityAreaRef> Areas, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CityResponse From(CityRow r) => new(r.Id, r.CountryId, r.CountryCode, r.Name, r.NameLocal, r.Aliases, new GeoPoint(r.Lat, r.Lon),
        r.CityType, r.Population, r.PopularityScore, r.IataCode, r.Timezone, r.GooglePlacesId,
        [.. r.Areas.Select(a => new CityAreaRef(a.Id, a.Name))], r.CreatedAt, r.UpdatedAt);
}

public sealed record BookingLinkResponse(Guid Id, string LinkableType, Guid LinkableId, string Provider, string BookingUrl, string? DeeplinkUrl,
    PriceInput? PriceFrom, string? AffiliateCode, DateTimeOffset CachedAt, DateTimeOffset ExpiresAt)
{
    public static BookingLinkResponse From(BookingLinkRow r) => new(r.Id, r.LinkableType, r.LinkableId, r.Provider, r.BookingUrl, r.DeeplinkUrl,
        r.PriceFrom is null ? null : new PriceInput(r.PriceFrom, r.PriceCurrency), r.AffiliateCode, r.CachedAt, r.ExpiresAt);
}

/// <summary>openNow: open at the time of the request, in the attraction's local time zone. bookingLinks: the unexpired ones.</summary>
public sealed record AttractionResponse(Guid Id, Guid CityId, string CityName, string CountryCode, string Name, string? NameLocal, string Type,
    string[] Categories, string? Address, GeoPoint Location, JsonElement? OpeningHours, string Timezone, bool OpenNow, int? TypicalVisitMinutes,
    string? Crowdedness, string? PricingType, PriceInput? PriceAdult, decimal? Rating, int ReviewCount, JsonElement? Accessibility,
    string[] Tags, ExternalIds ExternalIds, string[] ImageUrls, JsonElement? ExternalData, DateTimeOffset? ExternalDataCachedAt,
    bool IsVerified, JsonElement BookingLinks, Guid? AreaId, string? AreaName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AttractionResponse From(AttractionRow r) => new(r.Id, r.CityId, r.CityName, r.CountryCode, r.Name, r.NameLocal,
        r.AttractionType, r.Categories, r.Address, new GeoPoint(r.Lat, r.Lon), Json(r.OpeningHours), r.Timezone, r.OpenNow,
        r.TypicalVisitMinutes, r.Crowdedness, r.PricingType, r.PriceAdult is null ? null : new PriceInput(r.PriceAdult, r.PriceCurrency),
        r.Rating, r.ReviewCount, Json(r.Accessibility), r.Tags, new ExternalIds(r.GooglePlacesId, r.TripadvisorId, r.GetyourguideId, r.ViatorId),
        r.ImageUrls, Json(r.ExternalData), r.ExternalDataCachedAt, r.IsVerified, Json(r.BookingLinks)!.Value, r.AreaId, r.AreaName,
        r.CreatedAt, r.UpdatedAt);

    private static JsonElement? Json(string? text) => text is null ? null : JsonDocument.Parse(text).RootElement.Clone();
}

public sealed record NearbyAttraction(Guid Id, string Name, string Type, string[] Categories, Guid CityId, string CityName, string CountryCode,
    GeoPoint Location, double DistanceMeters, decimal? Rating, int ReviewCount, string? PricingType, bool OpenNow)
{
    public static NearbyAttraction From(NearbyRow r) => new(r.Id, r.Name, r.AttractionType, r.Categories, r.CityId, r.CityName, r.CountryCode,
        new GeoPoint(r.Lat, r.Lon), Math.Round(r.DistanceMeters, 1), r.Rating, r.ReviewCount, r.PricingType, r.OpenNow);
}

/// <summary>Nearest first, at most limit of them (a top-N, not a paged list: the radius bounds it).</summary>
public sealed record NearbyAttractions(IReadOnlyList<NearbyAttraction> Items);

/// <summary>kind: city or attraction. cityName: the attraction's city. score: higher is a better match.</summary>
public sealed record PlaceSearchHit(string Kind, Guid Id, string Name, string? CityName, string CountryCode, GeoPoint Location, double Score)
{
    public static PlaceSearchHit From(SearchHitRow r) => new(r.Kind, r.Id, r.Name, r.CityName, r.CountryCode, new GeoPoint(r.Lat, r.Lon),
        Math.Round(r.Score, 4));
}

/// <summary>Best match first, at most limit of them.</summary>
public sealed record PlaceSearchResults(IReadOnlyList<PlaceSearchHit> Items);

using System.Text.Json;

namespace TravelFunctions.Data.Places;

// Rows as the SQL reads them (column names match, snake_case to PascalCase). jsonb columns come as text, and so do
// text[] columns, as JSON arrays: Dapper cannot match an array column to a record's constructor.

internal static class JsonArray
{
    public static string[] Of(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];
}

public sealed record CountryRow(Guid Id, string IsoCode, string Name, double? Lat, double? Lon, string? CurrencyCode, string Timezone,
    decimal? PopularityScore, int? DailyCostBudget, int? DailyCostMid, int? DailyCostLuxury, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CityRow(Guid Id, Guid CountryId, string CountryCode, string Name, string? NameLocal, string AliasesJson, double Lat, double Lon,
    string? CityType, int? Population, decimal? PopularityScore, string? IataCode, string Timezone, string GooglePlacesId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string AreasJson)
{
    public string[] Aliases { get; } = JsonArray.Of(AliasesJson);
    /// <summary>The city's areas, by name: just enough to pick one (GET .../areas has the rest).</summary>
    public AreaRef[] Areas { get; } = JsonSerializer.Deserialize<AreaRef[]>(AreasJson, JsonSerializerOptions.Web) ?? [];
}

public sealed record AreaRef(Guid Id, string Name);

public sealed record AttractionRow(Guid Id, Guid CityId, string CityName, string CountryCode, string Name, string? NameLocal,
    string AttractionType, string CategoriesJson, string? Address, double Lat, double Lon, string? OpeningHours, string Timezone, bool OpenNow,
    int? TypicalVisitMinutes, string? Crowdedness, string? PricingType, decimal? PriceAdult, string? PriceCurrency, decimal? Rating,
    int ReviewCount, string? Accessibility, string TagsJson, string? GooglePlacesId, string? TripadvisorId, string? GetyourguideId,
    string? ViatorId, string ImageUrlsJson, string? ExternalData, DateTimeOffset? ExternalDataCachedAt, bool IsVerified,
    string BookingLinks, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Guid? AreaId, string? AreaName)
{
    public string[] Categories { get; } = JsonArray.Of(CategoriesJson);
    public string[] Tags { get; } = JsonArray.Of(TagsJson);
    public string[] ImageUrls { get; } = JsonArray.Of(ImageUrlsJson);
}

public sealed record NearbyRow(Guid Id, string Name, string AttractionType, string CategoriesJson, Guid CityId, string CityName,
    string CountryCode, double Lat, double Lon, double DistanceMeters, decimal? Rating, int ReviewCount, string? PricingType, bool OpenNow)
{
    public string[] Categories { get; } = JsonArray.Of(CategoriesJson);
}

public sealed record SearchHitRow(string Kind, Guid Id, string Name, string? CityName, string CountryCode, double Lat, double Lon, double Score);

/// <param name="Now">The instant opening hours are evaluated at (in each attraction's local time).</param>
/// <param name="OpenNow">Only attractions open at <paramref name="Now"/>.</param>
public sealed record NearbyFilter(double Lat, double Lon, double RadiusKm, string? Type, string? Category, DateTimeOffset Now, bool OpenNow, int Limit);

// What agents write. The HTTP layer has validated every field; the database checks again.

public sealed record CountryInput(string IsoCode, string Name, double? Lat, double? Lon, string? CurrencyCode, string Timezone,
    decimal? PopularityScore, int? DailyCostBudget, int? DailyCostMid, int? DailyCostLuxury);

public sealed record CityInput(string GooglePlacesId, string CountryCode, string Name, string? NameLocal, string[] Aliases, double Lat, double Lon,
    string? CityType, int? Population, decimal? PopularityScore, string? IataCode, string? Timezone);

public sealed record AttractionInput(Guid CityId, string Name, string? NameLocal, string AttractionType, string[] Categories, string? Address,
    double Lat, double Lon, string? OpeningHours, int? TypicalVisitMinutes, string? Crowdedness, string? PricingType, decimal? PriceAdult,
    string? PriceCurrency, decimal? Rating, int ReviewCount, string? Accessibility, string[] Tags, string? GooglePlacesId,
    string? TripadvisorId, string? GetyourguideId, string? ViatorId, string[] ImageUrls, string? ExternalData, bool IsVerified, Guid? AreaId);

public sealed record BookingLinkInput(string LinkableType, Guid LinkableId, string Provider, string BookingUrl, string? DeeplinkUrl,
    decimal? PriceFrom, string? PriceCurrency, string? AffiliateCode, DateTimeOffset ExpiresAt);

public sealed record BookingLinkRow(Guid Id, string LinkableType, Guid LinkableId, string Provider, string BookingUrl, string? DeeplinkUrl,
    decimal? PriceFrom, string? PriceCurrency, string? AffiliateCode, DateTimeOffset CachedAt, DateTimeOffset ExpiresAt);

/// <summary>The outcome of an upsert by external id.</summary>
public abstract record PlaceUpsert<T>
{
    private PlaceUpsert() { }
    public sealed record Created(T Row) : PlaceUpsert<T>;
    public sealed record Updated(T Row) : PlaceUpsert<T>;
    /// <summary>What it points at (country, city, attraction, trip) does not exist.</summary>
    public sealed record MissingParent(string Field, string What) : PlaceUpsert<T>;
    /// <summary>Its external ids belong to different existing rows.</summary>
    public sealed record Conflict(string Detail) : PlaceUpsert<T>;
}

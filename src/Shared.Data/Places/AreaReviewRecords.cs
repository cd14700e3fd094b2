namespace TravelFunctions.Data.Places;

// City areas and cached reviews (0013, endpoints from 0016), rows and inputs as PlaceRecords has them.

public sealed record CityAreaRow(Guid Id, Guid CityId, string Name, string? Description, double? Lat, double? Lon, string TagsJson,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public string[] Tags { get; } = JsonArray.Of(TagsJson);
}

public sealed record CityAreaInput(Guid CityId, string Name, string? Description, double? Lat, double? Lon, string[] Tags);

public sealed record ReviewRow(Guid Id, Guid AttractionId, string Source, string ExternalReviewId, string? AuthorName, short Rating,
    string? ReviewText, string? Language, DateOnly? ReviewDate, DateTimeOffset CachedAt)
{
    /// <summary>
    /// The list's keyset value: undated reviews sort as 1900-01-01, last (0016's index has the same key; the table's
    /// CHECK keeps real dates above it). Not DateOnly.MinValue: Npgsql sends that as -infinity.
    /// </summary>
    public DateOnly SortDate => ReviewDate ?? Undated;

    public static readonly DateOnly Undated = new(1900, 1, 1);
}

public sealed record ReviewInput(Guid AttractionId, string Source, string ExternalReviewId, string? AuthorName, int Rating, string? ReviewText,
    string? Language, DateOnly? ReviewDate);

using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Places;

/// <summary>GET /api/places/attractions/nearby: nearest first within radiusKm.</summary>
[InputConverter(typeof(QueryConverter<NearbyQuery>))]
public sealed partial record NearbyQuery(double Lat, double Lon, double RadiusKm, string? Type, string? Category, bool OpenNow, int Limit)
    : IQueryRecord<NearbyQuery>
{
    public const double DefaultRadiusKm = 5;
    public const double MaxRadiusKm = 50;

    public static NearbyQuery Read(QueryReader query)
    {
        var lat = query.Number("lat", "Latitude of the centre, -90 to 90 (WGS 84). Required.", -90, 90);
        var lon = query.Number("lon", "Longitude of the centre, -180 to 180 (WGS 84). Required.", -180, 180);
        var radius = query.Number("radiusKm", $"Radius in km, more than 0 and at most {MaxRadiusKm} (default {DefaultRadiusKm}).", 0, MaxRadiusKm);
        var type = query.Text("type", "Only attractions of this type (e.g. museum).", maxLength: 50);
        var category = query.Text("category", "Only attractions in this category.", maxLength: 50);
        var open = query.Text("open", "now: only attractions open now, in their local time.", maxLength: 10);
        var limit = query.Integer("limit", "How many, 1 to 100 (default 20).", 1, 100);
        if (query.Errors.ContainsKey("lat") is false && lat is null) query.Fail("lat", "lat is required.");
        if (query.Errors.ContainsKey("lon") is false && lon is null) query.Fail("lon", "lon is required.");
        if (radius == 0) query.Fail("radiusKm", "radiusKm must be more than 0.");
        if (type is not null && !Slug().IsMatch(type)) query.Fail("type", "type is lower-case letters and underscores (e.g. theme_park).");
        if (category is not null && !Slug().IsMatch(category)) query.Fail("category", "category is lower-case letters, digits and underscores.");
        if (open is not null && open != "now") query.Fail("open", "open takes one value: now.");
        return new NearbyQuery(lat ?? 0, lon ?? 0, radius ?? DefaultRadiusKm, type, category, open == "now", limit ?? 20);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    internal static partial Regex Slug();
}

/// <summary>GET /api/places/search: cities and attractions by name, fuzzy, accent- and case-insensitive.</summary>
[InputConverter(typeof(QueryConverter<PlaceSearchQuery>))]
public sealed record PlaceSearchQuery(string Q, int Limit) : IQueryRecord<PlaceSearchQuery>
{
    public static PlaceSearchQuery Read(QueryReader query)
    {
        var q = query.Text("q", "What to look for: 2 to 100 characters (names, local names, aliases, IATA codes, types, tags). Required.", maxLength: 100);
        var limit = query.Integer("limit", "How many, 1 to 50 (default 20).", 1, 50);
        if (!query.Errors.ContainsKey("q") && (q is null || q.Length < 2)) query.Fail("q", "q is required: at least 2 characters.");
        return new PlaceSearchQuery(q ?? "", limit ?? 20);
    }
}

/// <summary>GET /api/places/attractions/{attractionId}/reviews: newest review first, undated last, in pages.</summary>
[InputConverter(typeof(QueryConverter<ReviewListQuery>))]
public sealed record ReviewListQuery(PageRequest<DateOnly> Page) : IQueryRecord<ReviewListQuery>
{
    public static ReviewListQuery Read(QueryReader query) => new(query.Page<DateOnly>());
}

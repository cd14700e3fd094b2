using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Places;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Places;

/// <summary>Catalog reads, for any signed-in caller (a user or an agent).</summary>
[Authorize(Policy = AgentScopes.UserOrAgentPolicy)]
public sealed class PlacesFunctions(PlaceReader reader, TimeProvider clock)
{
    [Function("NearbyAttractions")]
    public async Task<Ok<NearbyAttractions>> Nearby(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/attractions/nearby")] HttpRequest req, NearbyQuery q)
    {
        var rows = await reader.NearbyAsync(new NearbyFilter(q.Lat, q.Lon, q.RadiusKm, q.Type, q.Category, clock.GetUtcNow(), q.OpenNow, q.Limit),
            req.HttpContext.RequestAborted);
        return TypedResults.Ok(new NearbyAttractions(rows.ConvertAll(NearbyAttraction.From)));
    }

    [Function("SearchPlaces")]
    public async Task<Ok<PlaceSearchResults>> Search(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/search")] HttpRequest req, PlaceSearchQuery q) =>
        TypedResults.Ok(new PlaceSearchResults((await reader.SearchAsync(q.Q, q.Limit, req.HttpContext.RequestAborted)).ConvertAll(PlaceSearchHit.From)));

    /// <summary>country: its id, or its ISO 3166-1 alpha-2 code.</summary>
    [Function("GetCountry")]
    public async Task<Results<Ok<CountryResponse>, ProblemHttpResult>> Country(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/countries/{country}")] HttpRequest req, string country)
    {
        Guid? id = Guid.TryParse(country, out var g) ? g : null;
        var iso = id is null && country.Length == 2 ? country.ToUpperInvariant() : null;
        var row = id is null && iso is null ? null : await reader.CountryAsync(id, iso, req.HttpContext.RequestAborted);
        return row is null ? Problems.NotFound("The country") : TypedResults.Ok(CountryResponse.From(row));
    }

    [Function("GetCity")]
    public async Task<Results<Ok<CityResponse>, ProblemHttpResult>> City(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/cities/{cityId}")] HttpRequest req, Guid cityId) =>
        await reader.CityAsync(cityId, req.HttpContext.RequestAborted) is { } row
            ? TypedResults.Ok(CityResponse.From(row)) : Problems.NotFound("The city");

    [Function("GetAttraction")]
    public async Task<Results<Ok<AttractionResponse>, ProblemHttpResult>> Attraction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/attractions/{attractionId}")] HttpRequest req, Guid attractionId) =>
        await reader.AttractionAsync(attractionId, clock.GetUtcNow(), req.HttpContext.RequestAborted) is { } row
            ? TypedResults.Ok(AttractionResponse.From(row)) : Problems.NotFound("The attraction");

    [Function("ListCityAreas")]
    public async Task<Results<Ok<CityAreas>, ProblemHttpResult>> Areas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/cities/{cityId}/areas")] HttpRequest req, Guid cityId) =>
        await reader.AreasAsync(cityId, req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(new CityAreas(rows.ConvertAll(CityAreaResponse.From))) : Problems.NotFound("The city");

    [Function("ListAttractionReviews")]
    public async Task<Results<Ok<Page<ReviewResponse>>, ProblemHttpResult>> Reviews(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "places/attractions/{attractionId}/reviews")] HttpRequest req, Guid attractionId,
        ReviewListQuery query) =>
        await reader.ReviewsAsync(attractionId, query.Page, clock.GetUtcNow(), req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(Pages.From(rows, query.Page, ReviewResponse.From, v => new(v.SortDate, v.Id))) : Problems.NotFound("The attraction");
}

public static class PlacesRegistration
{
    public static IServiceCollection AddPlaces(this IServiceCollection services) =>
        services.AddJsonContracts(PlacesJson.Default).AddSingleton<PlaceReader>().AddSingleton<PlaceWriter>();

    internal static string? JsonText<T>(T? value) => value is null ? null : JsonSerializer.Serialize(value, typeof(T), PlacesJson.Default);
}

using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Places;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Places;

/// <summary>
/// Catalog writes, for agents with scope agents:catalog (docs/agents.md): upserts by external id. 201 with the
/// row when it is new, 200 when an existing one was updated.
/// </summary>
[Authorize(Policy = AgentScopes.CatalogPolicy)]
public sealed class PlacesImportFunctions(PlaceWriter writer, TimeProvider clock)
{
    [Function("UpsertCountry")]
    public async Task<Results<Created<CountryResponse>, Ok<CountryResponse>, ValidationProblem, ProblemHttpResult>> Country(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "places/countries/{isoCode}")] HttpRequest req, string isoCode,
        [JsonBody] UpsertCountryRequest r)
    {
        if (isoCode.Length != 2 || !isoCode.All(char.IsAsciiLetterUpper))
            return Problems.Invalid("isoCode", "isoCode is an ISO 3166-1 alpha-2 code in capitals, such as 'FR'.");
        var input = new CountryInput(isoCode, r.Name!.Trim(), r.Centroid?.Lat, r.Centroid?.Lon, r.CurrencyCode, r.Timezone!, r.PopularityScore,
            r.DailyCost?.Budget, r.DailyCost?.Mid, r.DailyCost?.Luxury);
        return Map(await writer.UpsertCountryAsync(input, req.HttpContext.RequestAborted), CountryResponse.From, c => $"/api/places/countries/{c.Id}");
    }

    [Function("UpsertCity")]
    public async Task<Results<Created<CityResponse>, Ok<CityResponse>, ValidationProblem, ProblemHttpResult>> City(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "places/cities")] HttpRequest req, [JsonBody] UpsertCityRequest r)
    {
        var input = new CityInput(r.GooglePlacesId!.Trim(), r.CountryCode!, r.Name!.Trim(), r.NameLocal?.Trim(),
            (r.Aliases ?? []).Select(a => a.Trim()).Distinct().ToArray(), r.Location!.Lat!.Value, r.Location.Lon!.Value, r.CityType, r.Population,
            r.PopularityScore, r.IataCode, r.Timezone);
        return Map(await writer.UpsertCityAsync(input, req.HttpContext.RequestAborted), CityResponse.From, c => $"/api/places/cities/{c.Id}");
    }

    [Function("UpsertAttraction")]
    public async Task<Results<Created<AttractionResponse>, Ok<AttractionResponse>, ValidationProblem, ProblemHttpResult>> Attraction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "places/attractions")] HttpRequest req, [JsonBody] UpsertAttractionRequest r)
    {
        var ids = r.ExternalIds!;
        var input = new AttractionInput(r.CityId!.Value, r.Name!.Trim(), r.NameLocal?.Trim(), r.Type!, [.. (r.Categories ?? []).Distinct()],
            r.Address?.Trim(), r.Location!.Lat!.Value, r.Location.Lon!.Value, PlacesRegistration.JsonText(r.OpeningHours), r.TypicalVisitMinutes,
            r.Crowdedness, r.PricingType, r.PriceAdult?.Amount, r.PriceAdult?.Currency, r.Rating, r.ReviewCount ?? 0,
            PlacesRegistration.JsonText(r.Accessibility), [.. (r.Tags ?? []).Distinct()], Id(ids.GooglePlaces), Id(ids.Tripadvisor),
            Id(ids.GetYourGuide), Id(ids.Viator), [.. r.ImageUrls ?? []], r.ExternalData?.GetRawText(), r.IsVerified ?? false, r.AreaId);
        return Map(await writer.UpsertAttractionAsync(input, clock.GetUtcNow(), req.HttpContext.RequestAborted), AttractionResponse.From,
            a => $"/api/places/attractions/{a.Id}");
    }

    /// <summary>What a link names must exist (an attraction, a trip, an itinerary item: 0018 made the last a foreign key too).</summary>
    [Function("UpsertBookingLink")]
    public async Task<Results<Created<BookingLinkResponse>, Ok<BookingLinkResponse>, ValidationProblem, ProblemHttpResult>> BookingLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "places/booking-links")] HttpRequest req, [JsonBody] UpsertBookingLinkRequest r)
    {
        var input = new BookingLinkInput(r.LinkableType!, r.LinkableId!.Value, r.Provider!, r.BookingUrl!, r.DeeplinkUrl, r.PriceFrom?.Amount,
            r.PriceFrom?.Currency, r.AffiliateCode, r.ExpiresAt!.Value);
        return Map(await writer.UpsertBookingLinkAsync(input, req.HttpContext.RequestAborted), BookingLinkResponse.From, _ => null);
    }

    [Function("UpsertCityArea")]
    public async Task<Results<Created<CityAreaResponse>, Ok<CityAreaResponse>, ValidationProblem, ProblemHttpResult>> CityArea(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "places/city-areas")] HttpRequest req, [JsonBody] UpsertCityAreaRequest r)
    {
        var input = new CityAreaInput(r.CityId!.Value, r.Name!.Trim(), Blank(r.Description), r.Center?.Lat, r.Center?.Lon,
            [.. (r.Tags ?? []).Distinct()]);
        return Map(await writer.UpsertCityAreaAsync(input, req.HttpContext.RequestAborted), CityAreaResponse.From,
            a => $"/api/places/cities/{a.CityId}/areas");
    }

    /// <summary>A review id already cached for another attraction is a 409 (fix the import; reviews do not move).</summary>
    [Function("UpsertAttractionReview")]
    public async Task<Results<Created<ReviewResponse>, Ok<ReviewResponse>, ValidationProblem, ProblemHttpResult>> Review(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "places/attraction-reviews")] HttpRequest req, [JsonBody] UpsertReviewRequest r)
    {
        var input = new ReviewInput(r.AttractionId!.Value, r.Source!, r.ExternalReviewId!.Trim(), Blank(r.AuthorName), r.Rating!.Value, Blank(r.Text),
            r.Language, r.ReviewDate);
        return Map(await writer.UpsertReviewAsync(input, req.HttpContext.RequestAborted), ReviewResponse.From,
            v => $"/api/places/attractions/{v.AttractionId}/reviews");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? Id(string? id) => string.IsNullOrWhiteSpace(id) ? null : id.Trim();

    private static Results<Created<TOut>, Ok<TOut>, ValidationProblem, ProblemHttpResult> Map<TRow, TOut>(
        PlaceUpsert<TRow> outcome, Func<TRow, TOut> map, Func<TRow, string?> location) => outcome switch
        {
            PlaceUpsert<TRow>.Created c => TypedResults.Created(location(c.Row), map(c.Row)),
            PlaceUpsert<TRow>.Updated u => TypedResults.Ok(map(u.Row)),
            PlaceUpsert<TRow>.MissingParent m => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [m.Field] = [$"{m.What} was not found."] }),
            PlaceUpsert<TRow>.Conflict c => Problems.Conflict(c.Detail),
            _ => throw new InvalidOperationException("Unknown upsert outcome."),
        };
}

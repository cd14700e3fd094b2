using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Places;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UpsertCountryRequest))]
[JsonSerializable(typeof(UpsertCityRequest))]
[JsonSerializable(typeof(UpsertAttractionRequest))]
[JsonSerializable(typeof(UpsertBookingLinkRequest))]
[JsonSerializable(typeof(CountryResponse))]
[JsonSerializable(typeof(CityResponse))]
[JsonSerializable(typeof(AttractionResponse))]
[JsonSerializable(typeof(BookingLinkResponse))]
[JsonSerializable(typeof(UpsertCityAreaRequest))]
[JsonSerializable(typeof(UpsertReviewRequest))]
[JsonSerializable(typeof(CityAreaResponse))]
[JsonSerializable(typeof(CityAreas))]
[JsonSerializable(typeof(ReviewResponse))]
[JsonSerializable(typeof(Page<ReviewResponse>))]
[JsonSerializable(typeof(TripBookingLinks))]
[JsonSerializable(typeof(NearbyAttractions))]
[JsonSerializable(typeof(PlaceSearchResults))]
[JsonSerializable(typeof(Dictionary<string, List<OpeningInterval>>))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
internal sealed partial class PlacesJson : JsonSerializerContext;

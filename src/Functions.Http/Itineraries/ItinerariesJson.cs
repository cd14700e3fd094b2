using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Itineraries;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(CreateItineraryRequest))]
[JsonSerializable(typeof(AddItineraryItemRequest))]
[JsonSerializable(typeof(UpdateItineraryItemRequest))]
[JsonSerializable(typeof(MoveItineraryItemRequest))]
[JsonSerializable(typeof(DelayItineraryItemRequest))]
[JsonSerializable(typeof(ReorderItineraryDayRequest))]
[JsonSerializable(typeof(ItineraryResponse))]
[JsonSerializable(typeof(ItineraryItemCreated))]
[JsonSerializable(typeof(Page<ItinerarySummary>))]
internal sealed partial class ItinerariesJson : JsonSerializerContext;

using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Preferences;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(TripPreferencesRequest))]
[JsonSerializable(typeof(TripPreferencesResponse))]
[JsonSerializable(typeof(Page<ReferenceItem>))]
[JsonSerializable(typeof(CategoryTree))]
internal sealed partial class PreferencesJson : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace TravelFunctions.Http.SearchCache;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(PutSearchCacheRequest))]
internal sealed partial class SearchCacheJson : JsonSerializerContext;

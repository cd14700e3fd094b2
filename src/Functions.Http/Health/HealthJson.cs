using System.Text.Json.Serialization;

namespace TravelFunctions.Http.Health;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJson : JsonSerializerContext;

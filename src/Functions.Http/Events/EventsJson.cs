using System.Text.Json.Serialization;

namespace TravelFunctions.Http.Events;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(EventBatchRequest))]
[JsonSerializable(typeof(AcceptedBatch))]
internal sealed partial class EventsJson : JsonSerializerContext;

using System.Text.Json.Serialization;
using TravelFunctions.Http.Events;

namespace TravelFunctions.Http.ApiLogs;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(ApiLogBatchRequest))]
[JsonSerializable(typeof(AcceptedBatch))]
internal sealed partial class ApiLogsJson : JsonSerializerContext;

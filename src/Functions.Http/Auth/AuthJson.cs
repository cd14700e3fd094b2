using System.Text.Json.Serialization;

namespace TravelFunctions.Http.Auth;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(TokenPair))]
internal sealed partial class AuthJson : JsonSerializerContext;

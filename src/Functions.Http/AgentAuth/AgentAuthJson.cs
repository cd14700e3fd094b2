using System.Text.Json.Serialization;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(AgentTokenRequest))]
[JsonSerializable(typeof(AgentTokenResponse))]
internal sealed partial class AgentAuthJson : JsonSerializerContext;

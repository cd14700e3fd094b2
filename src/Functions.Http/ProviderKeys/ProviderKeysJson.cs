using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ProviderKeys;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(AddProviderKeyRequest))]
[JsonSerializable(typeof(ProviderKeyResponse))]
[JsonSerializable(typeof(Page<ProviderKeyResponse>))]
[JsonSerializable(typeof(Page<ProviderServiceResponse>))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(GrantResponse))]
[JsonSerializable(typeof(Page<GrantResponse>))]
[JsonSerializable(typeof(Page<KeyUseResponse>))]
[JsonSerializable(typeof(UseProviderKeyRequest))]
[JsonSerializable(typeof(UseProviderKeyResponse))]
internal sealed partial class ProviderKeysJson : JsonSerializerContext;

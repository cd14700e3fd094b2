using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Sharing;

/// <summary>Compile-time JSON metadata for this feature's bodies, ahead of reflection (ApiJson.AddJsonContracts).</summary>
[JsonSerializable(typeof(CreateShareLinkRequest))]
[JsonSerializable(typeof(CreatedShareLink))]
[JsonSerializable(typeof(Page<ShareLinkResponse>))]
[JsonSerializable(typeof(SharedTripResponse))]
internal sealed partial class SharingJson : JsonSerializerContext;

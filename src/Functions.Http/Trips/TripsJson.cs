using System.Text.Json.Serialization;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(CreateTripRequest))]
[JsonSerializable(typeof(UpdateTripRequest))]
[JsonSerializable(typeof(TripResponse))]
[JsonSerializable(typeof(Page<TripResponse>))]
[JsonSerializable(typeof(TripStats))]
[JsonSerializable(typeof(InviteRequest))]
[JsonSerializable(typeof(CollaboratorResponse))]
[JsonSerializable(typeof(InvitationResponse))]
[JsonSerializable(typeof(WithdrawInvitationRequest))]
[JsonSerializable(typeof(CollaboratorList))]
internal sealed partial class TripsJson : JsonSerializerContext;

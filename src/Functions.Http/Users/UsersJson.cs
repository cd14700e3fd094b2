using System.Text.Json.Serialization;

namespace TravelFunctions.Http.Users;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
internal sealed partial class UsersJson : JsonSerializerContext;

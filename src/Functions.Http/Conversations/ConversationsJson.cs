using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Conversations;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(CreateConversationRequest))]
[JsonSerializable(typeof(PostMessageRequest))]
[JsonSerializable(typeof(CloseConversationRequest))]
[JsonSerializable(typeof(ConversationResponse))]
[JsonSerializable(typeof(Page<ConversationResponse>))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(Page<MessageResponse>))]
internal sealed partial class ConversationsJson : JsonSerializerContext;

using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

/// <summary>Compile-time JSON metadata for this feature's bodies , ahead of reflection (ApiJson.AddJsonContracts): faster cold start, no emitted code.</summary>
[JsonSerializable(typeof(CreateBookingRequest))]
[JsonSerializable(typeof(ConfirmBookingRequest))]
[JsonSerializable(typeof(BookingResponse))]
[JsonSerializable(typeof(Page<BookingResponse>))]
internal sealed partial class BookingsJson : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

public enum BookingType { Flight, Hotel, Activity, CarRental }
public enum BookingStatus { Pending, Confirmed, Cancelled }

/// <summary>
/// POST /api/trips/{tripId}/bookings. details is read once bookingType is known (its shape depends on it),
/// so it arrives as raw JSON and is parsed strictly by <see cref="BookingDetailsReader"/>.
/// </summary>
public sealed record CreateBookingRequest(
    BookingType? BookingType,
    JsonElement? Details,
    decimal? TotalAmount,
    string? Currency,
    string? SupplierName,
    bool? Cancellable,
    [property: JsonConverter(typeof(OffsetDateTimeConverter))] DateTimeOffset? CancellationDeadline,
    decimal? CancellationFee)
{
    private DetailsReading? _details;

    /// <summary>The details read for <see cref="BookingType"/>, once per request: the validator reads them, the function uses them.</summary>
    public DetailsReading ReadDetails() => _details ??= BookingDetailsReader.Read(BookingType!.Value, Details);
}

public sealed record ConfirmBookingRequest(string? SupplierReference);


public sealed record BookingResponse(
    Guid Id, Guid TripId, BookingType BookingType, BookingStatus Status, string ConfirmationCode,
    string? SupplierName, string? SupplierReference, RawJson Details,
    decimal TotalAmount, string Currency, bool Cancellable, DateTimeOffset? CancellationDeadline,
    decimal? CancellationFee, decimal? CancellationFeeCharged, DateTimeOffset StartsAt, DateTimeOffset? EndsAt,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt);

using System.Text.Json;
using System.Text.Json.Serialization;

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
    decimal? CancellationFee);

public sealed record ConfirmBookingRequest(string? SupplierReference);

/// <summary>GET /api/bookings query. from/to bound starts_at: a date (yyyy-MM-dd, whole day, UTC) or a date-time with offset.</summary>
/// <remarks>Init properties, not a positional record: the compile-time request delegate generator cannot bind a
/// constructor with nullable reference parameters. All text, parsed by the validator (see QueryText).</remarks>
public sealed record BookingListQuery
{
    public string? TripId { get; init; }
    public string? Type { get; init; }
    public string? Status { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Limit { get; init; }
    public string? Cursor { get; init; }
}

public sealed record BookingResponse(
    Guid Id, Guid TripId, BookingType BookingType, BookingStatus Status, string ConfirmationCode,
    string? SupplierName, string? SupplierReference, JsonElement Details,
    decimal TotalAmount, string Currency, bool Cancellable, DateTimeOffset? CancellationDeadline,
    decimal? CancellationFee, decimal? CancellationFeeCharged, DateTimeOffset StartsAt, DateTimeOffset? EndsAt,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt);

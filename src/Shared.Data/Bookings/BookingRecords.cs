namespace TravelFunctions.Data.Bookings;

/// <summary>A booking as stored. Enumerations are their database text; details is the jsonb as text.</summary>
public sealed record BookingRow(
    Guid Id, Guid TripId, string BookingType, string Status, string ConfirmationCode,
    string? SupplierName, string? SupplierReference, string Details,
    decimal TotalAmount, string Currency, bool Cancellable, DateTimeOffset? CancellationDeadline,
    decimal? CancellationFee, decimal? CancellationFeeCharged, DateTimeOffset StartsAt, DateTimeOffset? EndsAt,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt);

/// <summary>A validated booking to insert; StartsAt/EndsAt are already derived from the details.</summary>
public sealed record NewBooking(
    Guid TripId, string BookingType, string DetailsJson, decimal TotalAmount, string Currency, string? SupplierName,
    bool Cancellable, DateTimeOffset? CancellationDeadline, decimal? CancellationFee,
    DateTimeOffset StartsAt, DateTimeOffset? EndsAt);

/// <summary>An Idempotency-Key and the SHA-256 of the request it came with (trip id + canonical body).</summary>
public sealed record IdempotencyClaim(string Key, byte[] RequestHash);

public enum CreateOutcome { Created, Replayed, TripNotFound, TripReadOnly, CurrencyMismatch, KeyReusedWithDifferentRequest }

/// <summary>What creating a booking did. Booking is set for Created and Replayed; TripCurrency for CurrencyMismatch.</summary>
public sealed record CreateResult(CreateOutcome Outcome, BookingRow? Booking = null, string? TripCurrency = null);

public enum ChangeOutcome { Done, NotFound, ReadOnly, Conflict }

/// <summary>What a status change did. Booking is set for Done; Reason explains a Conflict.</summary>
public sealed record ChangeResult(ChangeOutcome Outcome, BookingRow? Booking = null, string? Reason = null);

/// <summary>Filters of the booking list; After* is the keyset position (created_at desc, id desc) of the previous page's last row.</summary>
public sealed record BookingFilter(
    Guid? TripId, string? BookingType, string? Status, DateTimeOffset? From, DateTimeOffset? To,
    int Take, DateTimeOffset? AfterCreatedAt, Guid? AfterId);

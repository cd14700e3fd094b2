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

/// <summary>What creating a booking came to.</summary>
public abstract record BookingCreation
{
    public sealed record Created(BookingRow Booking) : BookingCreation;
    /// <summary>The same Idempotency-Key and request again: the booking the first one created.</summary>
    public sealed record Replayed(BookingRow Booking) : BookingCreation;
    public sealed record TripNotFound : BookingCreation;
    public sealed record TripReadOnly : BookingCreation;
    public sealed record KeyReusedWithDifferentRequest : BookingCreation;
}

/// <summary>What a status change (confirm, cancel) came to.</summary>
public abstract record BookingChange
{
    public sealed record Done(BookingRow Booking) : BookingChange;
    public sealed record NotFound : BookingChange;
    public sealed record ReadOnly : BookingChange;
    public sealed record Conflict(BookingRow Booking, string Reason) : BookingChange;
}

/// <summary>Which bookings a list shows, newest first (null: any).</summary>
public sealed record BookingFilter(Guid? TripId, string? BookingType, string? Status, DateTimeOffset? From, DateTimeOffset? To);

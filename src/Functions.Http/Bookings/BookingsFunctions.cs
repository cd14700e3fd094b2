using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Bookings;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

public sealed class BookingsFunctions(BookingStore store)
{
    [Function("CreateBooking")]
    public async Task<Results<Created<BookingResponse>, ProblemHttpResult, ValidationProblem>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "trips/{tripId}/bookings")] HttpRequest req, Guid tripId,
        [JsonBody] CreateBookingRequest r, IdempotencyKey idempotencyKey)
    {
        var type = r.BookingType!.Value;
        var details = r.ReadDetails().Details!; // valid: the validator has read them
        var (startsAt, endsAt) = details.Period();
        var booking = new NewBooking(tripId, type.ToText(), BookingDetailsReader.Normalize(details),
            BookingRules.Money(r.TotalAmount!.Value), r.Currency!, r.SupplierName?.Trim(), r.Cancellable!.Value,
            r.CancellationDeadline, r.CancellationFee is { } fee ? BookingRules.Money(fee) : null, startsAt, endsAt);
        var claim = idempotencyKey.Value is { } key ? new IdempotencyClaim(key, RequestHash(booking)) : null;

        switch (await store.CreateAsync(req.UserId(), booking, claim, req.HttpContext.RequestAborted))
        {
            case BookingCreation.Created c:
                return TypedResults.Created($"/api/bookings/{c.Booking.Id}", ToResponse(c.Booking));
            case BookingCreation.Replayed replayed:
                req.HttpContext.Response.Headers[IdempotencyKey.ReplayedHeader] = "true";
                return TypedResults.Created($"/api/bookings/{replayed.Booking.Id}", ToResponse(replayed.Booking));
            case BookingCreation.TripReadOnly:
                return Problems.Forbidden("You can view this trip but not book on it: only its owner and editors can.");
            case BookingCreation.KeyReusedWithDifferentRequest:
                return Problems.Unprocessable("This Idempotency-Key was already used with a different request. Use a new key for a new booking.");
            default:
                return Problems.NotFound("The trip");
        }
    }

    [Function("ListBookings")]
    public async Task<Ok<Page<BookingResponse>>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bookings")] HttpRequest req, BookingListQuery query)
    {
        var rows = await store.ListAsync(req.UserId(), query.Filter, query.Page, req.HttpContext.RequestAborted);
        return TypedResults.Ok(Pages.From(rows, query.Page, ToResponse, b => new(b.CreatedAt, b.Id)));
    }

    [Function("GetBooking")]
    public async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bookings/{bookingId}")] HttpRequest req, Guid bookingId) =>
        await store.GetAsync(req.UserId(), bookingId, req.HttpContext.RequestAborted) is { } found
            ? TypedResults.Ok(ToResponse(found))
            : Problems.NotFound("The booking");

    [Function("GetBookingByCode")]
    public async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> GetByCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bookings/by-code/{code}")] HttpRequest req, string code)
    {
        // People type codes: accept lower case, but nothing that could not be a code.
        var normalized = code.Trim().ToUpperInvariant();
        if (!BookingRules.ConfirmationCode().IsMatch(normalized))
            return Problems.Invalid("code", "A confirmation code is 8 letters or digits.");
        return await store.GetByCodeAsync(req.UserId(), normalized, req.HttpContext.RequestAborted) is { } found
            ? TypedResults.Ok(ToResponse(found))
            : Problems.NotFound("The booking");
    }

    [Function("ConfirmBooking")]
    public async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bookings/{bookingId}/confirm")] HttpRequest req, Guid bookingId,
        [JsonBody] ConfirmBookingRequest r) =>
        Changed(await store.ConfirmAsync(req.UserId(), bookingId, r.SupplierReference!.Trim(), req.HttpContext.RequestAborted), "confirm");

    [Function("CancelBooking")]
    public async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bookings/{bookingId}/cancel")] HttpRequest req, Guid bookingId) =>
        Changed(await store.CancelAsync(req.UserId(), bookingId, req.HttpContext.RequestAborted), "cancel");

    private static Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem> Changed(BookingChange change, string verb) =>
        change switch
        {
            BookingChange.Done d => TypedResults.Ok(ToResponse(d.Booking)),
            BookingChange.ReadOnly => Problems.Forbidden($"You can view this booking but not {verb} it: only the trip's owner and editors can."),
            BookingChange.Conflict c => Problems.Conflict(c.Reason),
            _ => Problems.NotFound("The booking"),
        };

    /// <summary>
    /// SHA-256 of the trip id and the normalized request: the same booking sent again (whitespace, member
    /// order, 100 vs 100.00 aside) hashes the same; anything that would book differently does not.
    /// </summary>
    private static byte[] RequestHash(NewBooking booking) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(booking.TripId.ToString("D") + "\n" + JsonSerializer.Serialize(booking, ApiJson.Options)));

    internal static BookingResponse ToResponse(BookingRow b) => new(
        b.Id, b.TripId, EnumText.Parse<BookingType>(b.BookingType), EnumText.Parse<BookingStatus>(b.Status), b.ConfirmationCode,
        b.SupplierName, b.SupplierReference, new RawJson(b.Details),
        b.TotalAmount, b.Currency, b.Cancellable, b.CancellationDeadline, b.CancellationFee, b.CancellationFeeCharged,
        b.StartsAt, b.EndsAt, b.CreatedAt, b.ConfirmedAt, b.CancelledAt);
}

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TravelFunctions.Data.Bookings;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

public static class BookingsEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IServiceCollection AddBookings(this IServiceCollection services) =>
        services.AddJsonContracts(BookingsJson.Default)
            .AddSingleton<ConfirmationCodes>()
            .AddSingleton<BookingStore>()
            .AddSingleton<IValidator<CreateBookingRequest>, CreateBookingRequestValidator>()
            .AddSingleton<IValidator<ConfirmBookingRequest>, ConfirmBookingRequestValidator>()
            .AddSingleton<IValidator<BookingListQuery>, BookingListQueryValidator>();

    public static RouteGroupBuilder MapBookings(this RouteGroupBuilder api)
    {
        api.MapPost("/trips/{tripId}/bookings", Create).WithName("CreateBooking").WithTags("Bookings")
            .RequireAuthorization().Validate<CreateBookingRequest>();

        var bookings = api.MapGroup("/bookings").WithTags("Bookings").RequireAuthorization();
        bookings.MapGet("/", List).WithName("ListBookings").Validate<BookingListQuery>();
        bookings.MapGet("/{bookingId}", Get).WithName("GetBooking");
        bookings.MapGet("/by-code/{code}", GetByCode).WithName("GetBookingByCode");
        bookings.MapPost("/{bookingId}/confirm", Confirm).WithName("ConfirmBooking").Validate<ConfirmBookingRequest>();
        bookings.MapPost("/{bookingId}/cancel", Cancel).WithName("CancelBooking");
        return api;
    }

    private static async Task<Results<Created<BookingResponse>, ProblemHttpResult, ValidationProblem>> Create(
        Guid tripId, CreateBookingRequest r, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ClaimsPrincipal principal, BookingStore store, HttpContext http, CancellationToken ct)
    {
        // Binding reads an empty header as no header; an empty or repeated key is a client error, not "no key".
        if (http.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var keys)
            && (keys.Count != 1 || keys[0] is not { Length: >= 1 and <= 200 }))
            return Problems.Invalid(IdempotencyKeyHeader, "The Idempotency-Key header must be one value of 1 to 200 characters.");
        var type = r.BookingType!.Value;
        var details = BookingDetailsReader.Read(type, r.Details, out _)!; // the validator has read it already
        var (startsAt, endsAt) = details.Period();
        var booking = new NewBooking(tripId, type.ToText(), BookingDetailsReader.Normalize(details),
            BookingRules.Money(r.TotalAmount!.Value), r.Currency!, r.SupplierName?.Trim(), r.Cancellable!.Value,
            r.CancellationDeadline, r.CancellationFee is { } fee ? BookingRules.Money(fee) : null, startsAt, endsAt);
        var claim = idempotencyKey is null ? null : new IdempotencyClaim(idempotencyKey, RequestHash(booking));

        var result = await store.CreateAsync(principal.UserId(), booking, claim, ct);
        switch (result.Outcome)
        {
            case CreateOutcome.Created:
                return TypedResults.Created($"/api/bookings/{result.Booking!.Id}", ToResponse(result.Booking));
            case CreateOutcome.Replayed:
                http.Response.Headers[ReplayedHeader] = "true";
                return TypedResults.Created($"/api/bookings/{result.Booking!.Id}", ToResponse(result.Booking));
            case CreateOutcome.TripNotFound:
                return Problems.NotFound("The trip");
            case CreateOutcome.TripReadOnly:
                return Problems.Forbidden("You can view this trip but not book on it: only its owner and editors can.");
            case CreateOutcome.CurrencyMismatch:
                return Problems.Conflict($"The trip's money is in {result.TripCurrency}; a booking on it must be in {result.TripCurrency}, not {booking.Currency}.");
            case CreateOutcome.KeyReusedWithDifferentRequest:
                return Problems.Unprocessable("This Idempotency-Key was already used with a different request. Use a new key for a new booking.");
            default:
                throw new InvalidOperationException($"Unexpected outcome {result.Outcome}.");
        }
    }

    private static async Task<Ok<Page<BookingResponse>>> List(
        [AsParameters] BookingListQuery q, ClaimsPrincipal principal, BookingStore store, CancellationToken ct)
    {
        // The validator has checked every value; these parses cannot fail.
        QueryText.TryReadLimit(q.Limit, out var limit);
        QueryText.TryParse<Guid>(q.TripId, out var tripId);
        DateTimeOffset? from = BookingQuery.TryParseBound(q.From, upper: false, out var f) ? f : null;
        DateTimeOffset? to = BookingQuery.TryParseBound(q.To, upper: true, out var t) ? t : null;
        var after = BookingQuery.TryDecodeCursor(q.Cursor, out var afterCreatedAt, out var afterId);
        var filter = new BookingFilter(tripId,
            BookingQuery.TryParseEnum<BookingType>(q.Type, out var type) ? type.ToText() : null,
            BookingQuery.TryParseEnum<BookingStatus>(q.Status, out var status) ? status.ToText() : null,
            from, to, limit + 1, after ? afterCreatedAt : null, after ? afterId : null);

        var rows = await store.ListAsync(principal.UserId(), filter, ct);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? BookingQuery.EncodeCursor(page[^1].CreatedAt, page[^1].Id) : null;
        return TypedResults.Ok(new Page<BookingResponse>(page.Select(ToResponse).ToList(), next));
    }

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> Get(
        Guid bookingId, ClaimsPrincipal principal, BookingStore store, CancellationToken ct) =>
        await store.GetAsync(principal.UserId(), bookingId, ct) is { } found
            ? TypedResults.Ok(ToResponse(found))
            : Problems.NotFound("The booking");

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> GetByCode(
        string code, ClaimsPrincipal principal, BookingStore store, CancellationToken ct)
    {
        // People type codes: accept lower case, but nothing that could not be a code.
        var normalized = code.Trim().ToUpperInvariant();
        if (!BookingRules.ConfirmationCode().IsMatch(normalized))
            return Problems.Invalid("code", "A confirmation code is 8 letters or digits.");
        return await store.GetByCodeAsync(principal.UserId(), normalized, ct) is { } found
            ? TypedResults.Ok(ToResponse(found))
            : Problems.NotFound("The booking");
    }

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> Confirm(
        Guid bookingId, ConfirmBookingRequest r, ClaimsPrincipal principal, BookingStore store, CancellationToken ct) =>
        Changed(await store.ConfirmAsync(principal.UserId(), bookingId, r.SupplierReference!.Trim(), ct), "confirm");

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem>> Cancel(
        Guid bookingId, ClaimsPrincipal principal, BookingStore store, CancellationToken ct) =>
        Changed(await store.CancelAsync(principal.UserId(), bookingId, ct), "cancel");

    private static Results<Ok<BookingResponse>, ProblemHttpResult, ValidationProblem> Changed(ChangeResult result, string verb) =>
        result.Outcome switch
        {
            ChangeOutcome.Done => TypedResults.Ok(ToResponse(result.Booking!)),
            ChangeOutcome.NotFound => Problems.NotFound("The booking"),
            ChangeOutcome.ReadOnly => Problems.Forbidden($"You can view this booking but not {verb} it: only the trip's owner and editors can."),
            _ => Problems.Conflict(result.Reason!),
        };

    /// <summary>
    /// SHA-256 of the trip id and the normalized request: the same booking sent again (whitespace, member
    /// order, 100 vs 100.00 aside) hashes the same; anything that would book differently does not.
    /// </summary>
    private static byte[] RequestHash(NewBooking booking) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(booking.TripId.ToString("D") + "\n" + JsonSerializer.Serialize(booking, ApiJson.Options)));

    internal static BookingResponse ToResponse(BookingRow b) => new(
        b.Id, b.TripId, EnumText.Parse<BookingType>(b.BookingType), EnumText.Parse<BookingStatus>(b.Status), b.ConfirmationCode,
        b.SupplierName, b.SupplierReference, JsonSerializer.Deserialize<JsonElement>(b.Details),
        b.TotalAmount, b.Currency, b.Cancellable, b.CancellationDeadline, b.CancellationFee, b.CancellationFeeCharged,
        b.StartsAt, b.EndsAt, b.CreatedAt, b.ConfirmedAt, b.CancelledAt);
}

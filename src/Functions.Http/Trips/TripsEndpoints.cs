using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public static class TripsEndpoints
{
    public static IServiceCollection AddTrips(this IServiceCollection services) =>
        services.AddJsonContracts(TripsJson.Default)
            .AddSingleton<TripStore>()
            .AddSingleton<CollaboratorStore>()
            .AddSingleton<IValidator<CreateTripRequest>, CreateTripRequestValidator>()
            .AddSingleton<IValidator<UpdateTripRequest>, UpdateTripRequestValidator>()
            .AddSingleton<IValidator<InviteRequest>, InviteRequestValidator>();

    public static RouteGroupBuilder MapTrips(this RouteGroupBuilder api)
    {
        var trips = api.MapGroup("/trips").WithTags("Trips").RequireAuthorization();
        trips.MapPost("/", Create).WithName("CreateTrip").Validate<CreateTripRequest>();
        trips.MapGet("/", List).WithName("ListTrips");
        trips.MapGet("/stats", Stats).WithName("GetTripStats");
        trips.MapGet("/{tripId}", Get).WithName("GetTrip");
        trips.MapPatch("/{tripId}", Update).WithName("UpdateTrip").Validate<UpdateTripRequest>();
        trips.MapDelete("/{tripId}", Delete).WithName("DeleteTrip");
        trips.MapCollaborators();
        return api;
    }

    private static async Task<Created<TripResponse>> Create(CreateTripRequest r, ClaimsPrincipal user, TripStore store, HttpContext http, CancellationToken ct)
    {
        var trip = await store.CreateAsync(user.UserId(), new NewTrip(
            Guid.NewGuid(), r.Title!.Trim(), r.Description, r.TripType!.Value.ToText(), r.StartDate!.Value, r.EndDate!.Value,
            r.OriginCity?.Trim(), r.OriginCountry, r.Budget?.Currency, r.Budget?.Amount, r.TravelerCount!.Value,
            ToDestinations(r.Destinations) ?? []), ct);
        http.Response.Headers.ETag = TripResponse.ETagOf(trip);
        return TypedResults.Created($"/api/trips/{trip.Id}", TripResponse.From(trip));
    }

    private static async Task<Results<Ok<Page<TripResponse>>, ValidationProblem>> List(
        ClaimsPrincipal user, TripStore store, CancellationToken ct,
        string? status = null, string? q = null, string? from = null, string? to = null, string? limit = null, string? cursor = null)
    {
        if (!EnumText.TryParseText<TripStatus>(status, out var statusFilter))
            return Problems.Invalid("status", $"status must be one of: {EnumText.Allowed<TripStatus>()}.");
        if (!QueryText.TryReadLimit(limit, out var take)) return Problems.Invalid("limit", QueryText.LimitRule);
        if (!QueryText.TryParse<DateOnly>(from, out var fromDate)) return Problems.Invalid("from", "from must be a date (yyyy-MM-dd).");
        if (!QueryText.TryParse<DateOnly>(to, out var toDate)) return Problems.Invalid("to", "to must be a date (yyyy-MM-dd).");
        if (q is { Length: > 100 }) return Problems.Invalid("q", "q is at most 100 characters.");
        if (fromDate is not null && toDate is not null && toDate < fromDate) return Problems.Invalid("to", "to must be on or after from.");
        DateOnly? afterDate = null;
        Guid? afterId = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 2, out var parts) || !DateOnly.TryParse(parts[0], out var d) || !Guid.TryParse(parts[1], out var id))
                return Problems.Invalid("cursor", "The cursor is not one this API issued.");
            (afterDate, afterId) = (d, id);
        }
        var rows = await store.ListAsync(user.UserId(), new TripQuery(statusFilter?.ToText(), string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
            fromDate, toDate, take + 1, afterDate, afterId), ct);
        var page = rows.Take(take).Select(TripResponse.From).ToList();
        var next = rows.Count > take ? Cursor.Encode(page[^1].StartDate.ToString("O"), page[^1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<TripResponse>(page, next));
    }

    private static async Task<Ok<TripStats>> Stats(ClaimsPrincipal user, TripStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.StatsAsync(user.UserId(), ct));

    private static async Task<Results<Ok<TripResponse>, ProblemHttpResult>> Get(Guid tripId, ClaimsPrincipal user, TripStore store, HttpContext http, CancellationToken ct)
    {
        var trip = await store.GetAsync(user.UserId(), tripId, ct);
        if (trip is null) return Problems.NotFound("The trip");
        http.Response.Headers.ETag = TripResponse.ETagOf(trip);
        return TypedResults.Ok(TripResponse.From(trip));
    }

    private static async Task<Results<Ok<TripResponse>, ProblemHttpResult, ValidationProblem>> Update(
        Guid tripId, UpdateTripRequest r, ClaimsPrincipal user, TripStore store, HttpContext http, CancellationToken ct)
    {
        int? expected = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            // "5" or W/"5"; anything else cannot match the current ETag.
            var raw = ifMatch.StartsWith("W/", StringComparison.Ordinal) ? ifMatch[2..] : ifMatch;
            if (!int.TryParse(raw.Trim('"'), out var v)) return Problems.PreconditionFailed();
            expected = v;
        }
        var patch = new TripPatch(r.Title?.Trim(), r.Description, r.TripType?.ToText(), r.Status?.ToText(), r.StartDate, r.EndDate,
            r.OriginCity?.Trim(), r.OriginCountry, r.Budget?.Currency, r.Budget?.Amount, r.TravelerCount, ToDestinations(r.Destinations));
        switch (await store.UpdateAsync(user.UserId(), tripId, expected, patch, ct))
        {
            case TripChange.Updated u:
                http.Response.Headers.ETag = TripResponse.ETagOf(u.Trip);
                return TypedResults.Ok(TripResponse.From(u.Trip));
            case TripChange.Forbidden: return Problems.Forbidden("Only the owner and editors can change this trip.");
            case TripChange.Stale: return Problems.PreconditionFailed();
            case TripChange.Invalid i: return Problems.Invalid(i.Field, i.Message);
            case TripChange.Conflict c: return Problems.Conflict(c.Detail);
            default: return Problems.NotFound("The trip");
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid tripId, ClaimsPrincipal user, TripStore store, CancellationToken ct) =>
        await store.DeleteAsync(user.UserId(), tripId, ct) switch
        {
            TripStore.DeleteOutcome.Deleted => TypedResults.NoContent(),
            TripStore.DeleteOutcome.Forbidden => Problems.Forbidden("Only the owner can delete this trip."),
            TripStore.DeleteOutcome.HasConfirmedBookings => Problems.Conflict("The trip has confirmed bookings; cancel them first."),
            _ => Problems.NotFound("The trip"),
        };

    private static List<NewDestination>? ToDestinations(IReadOnlyList<DestinationInput>? input) =>
        input?.Select(d => new NewDestination(d.City!.Trim(), d.Country!, d.ArrivalDate, d.DepartureDate)).ToList();
}

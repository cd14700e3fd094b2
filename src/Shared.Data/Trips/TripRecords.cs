using System.Text.Json;

namespace TravelFunctions.Data.Trips;

public sealed record TripRow(
    Guid Id, Guid OwnerId, string Title, string? Description, string TripType, string Status,
    DateOnly StartDate, DateOnly EndDate, string? OriginCity, string? OriginCountry,
    string? Currency, decimal? BudgetAmount, decimal SpentAmount, int TravelerCount, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string MyRole, string DestinationsJson, string SpendingJson)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The destinations, in order; read with the trip in the same statement (no second round trip).</summary>
    public IReadOnlyList<DestinationRow> Destinations { get; } =
        JsonSerializer.Deserialize<List<DestinationRow>>(DestinationsJson, Json) ?? [];

    /// <summary>What the trip's non-cancelled bookings add up to in each currency, with the rate into the trip's currency where one is recorded.</summary>
    public IReadOnlyList<SpendingRow> Spending { get; } = JsonSerializer.Deserialize<List<SpendingRow>>(SpendingJson, Json) ?? [];
}

/// <summary>One currency's spending; Rate (1 unit of it in the trip's currency) is null when no exchange rate is recorded.</summary>
public sealed record SpendingRow(string Currency, decimal Amount, decimal? Rate, DateTimeOffset? RateAsOf);

public sealed record DestinationRow(string City, string Country, DateOnly? ArrivalDate, DateOnly? DepartureDate);

public sealed record NewDestination(string City, string Country, DateOnly? ArrivalDate, DateOnly? DepartureDate);

public sealed record NewTrip(
    Guid Id, string Title, string? Description, string TripType, DateOnly StartDate, DateOnly EndDate,
    string? OriginCity, string? OriginCountry, string? Currency, decimal? BudgetAmount, int TravelerCount,
    IReadOnlyList<NewDestination> Destinations);

/// <summary>Changes to a trip: null leaves a value as it is; Destinations replaces the whole list when given.</summary>
public sealed record TripPatch(
    string? Title = null, string? Description = null, string? TripType = null, string? Status = null,
    DateOnly? StartDate = null, DateOnly? EndDate = null, string? OriginCity = null, string? OriginCountry = null,
    string? Currency = null, decimal? BudgetAmount = null, int? TravelerCount = null,
    IReadOnlyList<NewDestination>? Destinations = null,
    bool ClearDescription = false, bool ClearOriginCity = false, bool ClearOriginCountry = false, bool ClearBudget = false);

/// <summary>Which trips a list shows (all null: every trip the user can read).</summary>
public sealed record TripFilter(string? Status, string? Text, DateOnly? From, DateOnly? To);

public sealed record StatusCount(string Status, long Trips);
public sealed record CurrencyTotals(string Currency, long Trips, decimal Budget, decimal Spent);
public sealed record TripStats(long TotalTrips, IReadOnlyList<StatusCount> ByStatus, IReadOnlyList<CurrencyTotals> ByCurrency);

public abstract record TripDeletion
{
    public sealed record Deleted : TripDeletion;
    public sealed record NotFound : TripDeletion;
    public sealed record Forbidden : TripDeletion;
    public sealed record HasConfirmedBookings : TripDeletion;
}

public abstract record TripChange
{
    public sealed record Updated(TripRow Trip) : TripChange;
    public sealed record NotFound : TripChange;
    public sealed record Forbidden : TripChange;
    public sealed record Stale : TripChange;
    public sealed record Invalid(string Field, string Message) : TripChange;
    public sealed record Conflict(string Detail) : TripChange;
}

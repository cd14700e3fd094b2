using System.Text.Json.Serialization;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public enum TripType { Leisure, Business, Family, Adventure, Solo }
public enum TripStatus { Planning, Booked, InProgress, Completed, Cancelled }
public enum CollaboratorRole { Viewer, Editor }

public sealed record DestinationInput(string? City, string? Country, DateOnly? ArrivalDate, DateOnly? DepartureDate);
public sealed record MoneyInput(decimal? Amount, string? Currency);

/// <summary>The optional parts create and update share, validated by one set of rules.</summary>
public interface ITripFields
{
    string? OriginCity { get; }
    string? OriginCountry { get; }
    IReadOnlyList<DestinationInput>? Destinations { get; }
    MoneyInput? Budget { get; }
}

public sealed record CreateTripRequest(
    string? Title, string? Description, TripType? TripType, DateOnly? StartDate, DateOnly? EndDate,
    string? OriginCity, string? OriginCountry, IReadOnlyList<DestinationInput>? Destinations, MoneyInput? Budget, int? TravelerCount) : ITripFields;

/// <summary>
/// PATCH /api/trips/{id}, a JSON Merge Patch: absent leaves a value as it is, null clears an optional one
/// (description, originCity, originCountry, budget; destinations to none), a value sets it; destinations, when given,
/// replace the list, and a budget is replaced whole.
/// </summary>
public sealed record UpdateTripRequest(
    string? Title, string? Description, TripType? TripType, TripStatus? Status, DateOnly? StartDate, DateOnly? EndDate,
    string? OriginCity, string? OriginCountry, IReadOnlyList<DestinationInput>? Destinations, MoneyInput? Budget, int? TravelerCount)
    : ITripFields, IMergePatch
{
    [JsonIgnore] public IReadOnlySet<string> Sent { get; init; } = MergePatch.Nothing;
    public IMergePatch WithSent(IReadOnlySet<string> sent) => this with { Sent = sent };
}

public sealed record Destination(string City, string Country, DateOnly? ArrivalDate, DateOnly? DepartureDate);
public sealed record Money(decimal Amount, string Currency);

public sealed record TripResponse(
    Guid Id, Guid OwnerId, string Title, string? Description, TripType TripType, TripStatus Status,
    DateOnly StartDate, DateOnly EndDate, string? OriginCity, string? OriginCountry,
    IReadOnlyList<Destination> Destinations, Money? Budget, string? Currency, decimal SpentAmount, TripSpending Spending,
    int TravelerCount, string MyRole, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TripResponse From(TripRow t) => new(
        t.Id, t.OwnerId, t.Title, t.Description, EnumText.Parse<TripType>(t.TripType), EnumText.Parse<TripStatus>(t.Status),
        t.StartDate, t.EndDate, t.OriginCity, t.OriginCountry,
        t.Destinations.Select(d => new Destination(d.City, d.Country, d.ArrivalDate, d.DepartureDate)).ToList(),
        t.BudgetAmount is { } amount ? new Money(amount, t.Currency!) : null, t.Currency, t.SpentAmount,
        TripSpending.From(t.Currency, t.Spending), t.TravelerCount,
        t.MyRole, t.Version, t.CreatedAt, t.UpdatedAt);
}

/// <summary>
/// What a trip has spent: per currency (its bookings may be in any), and the total in the trip's currency when every
/// currency has a recorded exchange rate into it. Without one the total is null and <c>unconverted</c> says which
/// currencies lack a rate: amounts are never converted at a guessed rate.
/// </summary>
public sealed record TripSpending(IReadOnlyList<Money> ByCurrency, Money? Total, DateTimeOffset? RatesAsOf, IReadOnlyList<string> Unconverted, string? Note)
{
    public static TripSpending From(string? tripCurrency, IReadOnlyList<SpendingRow> rows)
    {
        var byCurrency = rows.Select(r => new Money(r.Amount, r.Currency)).ToList();
        if (tripCurrency is null || rows.Count == 0) return new(byCurrency, null, null, [], null);
        var unconverted = rows.Where(r => r.Rate is null).Select(r => r.Currency).ToList();
        if (unconverted.Count > 0)
            return new(byCurrency, null, null, unconverted,
                $"No exchange rate into {tripCurrency} is recorded for {string.Join(", ", unconverted)}, so no total in {tripCurrency} is given.");
        var total = decimal.Round(rows.Sum(r => r.Amount * r.Rate!.Value), 2, MidpointRounding.ToEven);
        var asOf = rows.Where(r => r.RateAsOf is not null).Select(r => r.RateAsOf).Min();
        return new(byCurrency, new Money(total, tripCurrency), asOf, [], null);
    }
}

public sealed record InviteRequest(string? Email, CollaboratorRole? Role);

/// <summary>While an invitation is pending, userId, firstName and lastName are null: only the invited email shows.</summary>
public sealed record CollaboratorResponse(Guid? UserId, string Email, string? FirstName, string? LastName,
    CollaboratorRole Role, string Status, DateTimeOffset InvitedAt, DateTimeOffset? AcceptedAt)
{
    public static CollaboratorResponse From(MemberRow m) => new(m.UserId, m.Email, m.FirstName, m.LastName,
        EnumText.Parse<CollaboratorRole>(m.Role), m.Status, m.InvitedAt, m.AcceptedAt);
}

/// <summary>
/// An invitation sent: the same answer whether or not the email has an account (one without an account waits
/// until the address registers). No id or name until the invitee accepts.
/// </summary>
public sealed record InvitationResponse(string Email, CollaboratorRole Role, string Status, DateTimeOffset InvitedAt)
{
    public static InvitationResponse From(InvitationRow i) => new(i.Email, EnumText.Parse<CollaboratorRole>(i.Role), "pending", i.InvitedAt);
}

public sealed record WithdrawInvitationRequest(string? Email);

public sealed record CollaboratorList(IReadOnlyList<CollaboratorResponse> Items);

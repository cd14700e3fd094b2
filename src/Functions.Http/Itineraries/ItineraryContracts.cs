using System.Text.Json.Serialization;
using TravelFunctions.Data.Itineraries;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Trips;

namespace TravelFunctions.Http.Itineraries;

public enum ItineraryGeneratedBy { Ai, Manual, Hybrid }
public enum ItineraryItemType { Attraction, Meal, Transport, Accommodation, FreeTime, Other }
public enum ItineraryItemStatus { Planned, Completed, Skipped, Delayed }

/// <summary>The members of an item a client writes, shared by create, add and update and validated by one set of rules.</summary>
public interface IItineraryItemFields
{
    ItineraryItemType? ItemType { get; }
    string? Title { get; }
    string? Description { get; }
    string? StartTime { get; }
    string? EndTime { get; }
    int? DurationMinutes { get; }
    MoneyInput? CostPerPerson { get; }
    bool? BookingRequired { get; }
    Guid? BookingId { get; }
    Guid? AttractionId { get; }
    ItineraryItemStatus? Status { get; }
    string? AiReason { get; }
    decimal? AiConfidence { get; }
    int? UserRating { get; }
}

/// <summary>
/// An item of a day: times are "HH:mm" (local to the day), costPerPerson an amount and ISO currency, bookingId a booking of
/// the same trip, attractionId a catalog attraction (only for itemType attraction). Status defaults to planned.
/// </summary>
public sealed record ItineraryItemInput(
    ItineraryItemType? ItemType, string? Title, string? Description, string? StartTime, string? EndTime, int? DurationMinutes,
    MoneyInput? CostPerPerson, bool? BookingRequired, Guid? BookingId, Guid? AttractionId, ItineraryItemStatus? Status,
    string? AiReason, decimal? AiConfidence, int? UserRating) : IItineraryItemFields;

public sealed record ItineraryDayInput(int? DayNumber, DateOnly? Date, string? City, string? Title, IReadOnlyList<ItineraryItemInput>? Items);

/// <summary>
/// POST /api/trips/{tripId}/itineraries: a whole version, as an agent posts it. The trip's first version is selected;
/// a later one only with select true (then the previous selection ends in the same transaction).
/// </summary>
public sealed record CreateItineraryRequest(
    string? Title, ItineraryGeneratedBy? GeneratedBy, string? ModelVersion, bool? Select, IReadOnlyList<ItineraryDayInput>? Days);

/// <summary>
/// POST .../items: a new item in the day named by dayId or dayNumber (one of them), at position (absent: last); the
/// items from that position on move down one.
/// </summary>
public sealed record AddItineraryItemRequest(
    Guid? DayId, int? DayNumber, int? Position,
    ItineraryItemType? ItemType, string? Title, string? Description, string? StartTime, string? EndTime, int? DurationMinutes,
    MoneyInput? CostPerPerson, bool? BookingRequired, Guid? BookingId, Guid? AttractionId, ItineraryItemStatus? Status,
    string? AiReason, decimal? AiConfidence, int? UserRating) : IItineraryItemFields;

/// <summary>
/// PATCH .../items/{itemId}, a JSON Merge Patch: absent leaves a member as it is, null clears an optional one (description,
/// startTime, endTime, durationMinutes, costPerPerson, bookingId, attractionId, aiReason, aiConfidence, userRating), a value
/// sets it. costPerPerson is replaced whole. Status delayed is set only by POST .../delay.
/// </summary>
public sealed record UpdateItineraryItemRequest(
    ItineraryItemType? ItemType, string? Title, string? Description, string? StartTime, string? EndTime, int? DurationMinutes,
    MoneyInput? CostPerPerson, bool? BookingRequired, Guid? BookingId, Guid? AttractionId, ItineraryItemStatus? Status,
    string? AiReason, decimal? AiConfidence, int? UserRating) : IItineraryItemFields, IMergePatch
{
    [JsonIgnore] public IReadOnlySet<string> Sent { get; init; } = MergePatch.Nothing;
    public IMergePatch WithSent(IReadOnlySet<string> sent) => this with { Sent = sent };
}

/// <summary>POST .../items/{itemId}/move: to the day named by toDayId or toDayNumber (one of them), at position (absent: last).</summary>
public sealed record MoveItineraryItemRequest(Guid? ToDayId, int? ToDayNumber, int? Position);

/// <summary>
/// POST .../items/{itemId}/delay: the item stays in its day with status delayed and delayedToItemId pointing at a planned
/// copy made in the other day named by toDayId or toDayNumber, at position (absent: last).
/// </summary>
public sealed record DelayItineraryItemRequest(Guid? ToDayId, int? ToDayNumber, int? Position);

/// <summary>POST .../days/{dayId}/reorder: every item id of the day, each once, in the new order.</summary>
public sealed record ReorderItineraryDayRequest(IReadOnlyList<Guid>? ItemIds);

/// <summary>The catalog attraction an item points at (deleting it from the catalog clears the pointer, the item stays).</summary>
public sealed record ItineraryAttraction(Guid Id, string Name, double Lat, double Lon);

public sealed record ItineraryItemResponse(
    Guid Id, int Position, ItineraryItemType ItemType, string Title, string? Description, string? StartTime, string? EndTime,
    int? DurationMinutes, Money? CostPerPerson, bool BookingRequired, Guid? BookingId, Guid? AttractionId, ItineraryAttraction? Attraction,
    ItineraryItemStatus Status, Guid? DelayedToItemId, string? AiReason, decimal? AiConfidence, int? UserRating,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ItineraryItemResponse From(ItineraryItemRow i) => new(
        i.Id, i.Position, EnumText.Parse<ItineraryItemType>(i.ItemType), i.Title, i.Description, i.StartTime, i.EndTime, i.DurationMinutes,
        i.CostPerPerson is { } cost ? new Money(cost, i.Currency!) : null, i.BookingRequired, i.BookingId, i.AttractionId,
        i.AttractionId is { } a ? new ItineraryAttraction(a, i.AttractionName!, i.AttractionLat!.Value, i.AttractionLon!.Value) : null,
        EnumText.Parse<ItineraryItemStatus>(i.Status), i.DelayedToItemId, i.AiReason, i.AiConfidence, i.UserRating, i.CreatedAt, i.UpdatedAt);
}

public sealed record ItineraryDayResponse(Guid Id, int DayNumber, DateOnly Date, string? City, string? Title, IReadOnlyList<ItineraryItemResponse> Items)
{
    public static ItineraryDayResponse From(ItineraryDayRow d) => new(d.Id, d.DayNumber, d.Date, d.City, d.Title, d.Items.Select(ItineraryItemResponse.From).ToList());
}

/// <summary>Per currency: the sum of costPerPerson over the items that count, and that times the trip's travelerCount.</summary>
public sealed record ItineraryCost(string Currency, decimal PerPerson, decimal Total);

/// <summary>
/// Computed from the items on every read (never stored, so they cannot drift). Activities are the items that count:
/// planned or completed (a skipped item does not; a delayed original does not, its copy does).
/// </summary>
public sealed record ItineraryTotals(int ItemCount, int ActivityCount, int TravelerCount, IReadOnlyList<ItineraryCost> EstimatedCost);

/// <summary>A version whole. revision is its ETag, which every change to its days or items moves.</summary>
public sealed record ItineraryResponse(
    Guid Id, Guid TripId, int Number, string? Title, ItineraryGeneratedBy GeneratedBy, string? ModelVersion, bool IsSelected, int Revision,
    Guid? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, ItineraryTotals Totals, IReadOnlyList<ItineraryDayResponse> Days)
{
    public static ItineraryResponse From(ItineraryRow v) => new(
        v.Id, v.TripId, v.Number, v.Title, EnumText.Parse<ItineraryGeneratedBy>(v.GeneratedBy), v.ModelVersion, v.IsSelected, v.Revision,
        v.CreatedBy, v.CreatedAt, v.UpdatedAt,
        new ItineraryTotals(v.ItemCount, v.ActivityCount, v.TravelerCount, v.Costs.Select(c => new ItineraryCost(c.Currency, c.PerPerson, c.Total)).ToList()),
        v.Days.Select(ItineraryDayResponse.From).ToList());
}

/// <summary>An item just made (added, or the copy a delay made) and the version as it now is.</summary>
public sealed record ItineraryItemCreated(Guid ItemId, ItineraryResponse Itinerary);

/// <summary>A version in the trip's list: its counts, not its days.</summary>
public sealed record ItinerarySummary(
    Guid Id, Guid TripId, int Number, string? Title, ItineraryGeneratedBy GeneratedBy, string? ModelVersion, bool IsSelected, int Revision,
    int DayCount, int ItemCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ItinerarySummary From(ItinerarySummaryRow v) => new(
        v.Id, v.TripId, v.Number, v.Title, EnumText.Parse<ItineraryGeneratedBy>(v.GeneratedBy), v.ModelVersion, v.IsSelected, v.Revision,
        v.DayCount, v.ItemCount, v.CreatedAt, v.UpdatedAt);
}

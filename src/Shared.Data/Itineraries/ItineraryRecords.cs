using System.Text.Json;

namespace TravelFunctions.Data.Itineraries;

/// <summary>One item as stored, with its catalog attraction's name and location when it points at one.</summary>
public sealed record ItineraryItemRow(
    Guid Id, int Position, string ItemType, string Title, string? Description, string? StartTime, string? EndTime,
    int? DurationMinutes, decimal? CostPerPerson, string? Currency, bool BookingRequired, Guid? BookingId,
    Guid? AttractionId, string? AttractionName, double? AttractionLat, double? AttractionLon,
    string Status, Guid? DelayedToItemId, string? AiReason, decimal? AiConfidence, int? UserRating,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ItineraryDayRow(Guid Id, int DayNumber, DateOnly Date, string? City, string? Title, IReadOnlyList<ItineraryItemRow> Items);

/// <summary>Estimated cost of the items that count (planned or completed) in one currency: per person, and times the trip's travellers.</summary>
public sealed record ItineraryCostRow(string Currency, decimal PerPerson, decimal Total);

/// <summary>
/// A version whole: its days in day order, each with its items in position order, and totals computed from those items
/// in the same statement (they cannot drift from them). Revision is the ETag.
/// </summary>
public sealed record ItineraryRow(
    Guid Id, Guid TripId, int Number, string? Title, string GeneratedBy, string? ModelVersion, bool IsSelected, int Revision,
    Guid? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int TravelerCount, int ItemCount, int ActivityCount,
    string DaysJson, string CostsJson)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<ItineraryDayRow> Days { get; } = JsonSerializer.Deserialize<List<ItineraryDayRow>>(DaysJson, Json) ?? [];
    public IReadOnlyList<ItineraryCostRow> Costs { get; } = JsonSerializer.Deserialize<List<ItineraryCostRow>>(CostsJson, Json) ?? [];
}

/// <summary>A version in the trip's list: no days, its counts only.</summary>
public sealed record ItinerarySummaryRow(
    Guid Id, Guid TripId, int Number, string? Title, string GeneratedBy, string? ModelVersion, bool IsSelected, int Revision,
    int DayCount, int ItemCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The parts of an item a client writes (times as "HH:mm"; enums as stored text).</summary>
public sealed record NewItineraryItem(
    string ItemType, string Title, string? Description = null, string? StartTime = null, string? EndTime = null, int? DurationMinutes = null,
    decimal? CostPerPerson = null, string? Currency = null, bool BookingRequired = false, Guid? BookingId = null, Guid? AttractionId = null,
    string Status = "planned", string? AiReason = null, decimal? AiConfidence = null, int? UserRating = null);

public sealed record NewItineraryDay(int DayNumber, DateOnly Date, string? City, string? Title, IReadOnlyList<NewItineraryItem> Items);

/// <summary>A whole version as an agent posts it. Select: make it the selected one (the trip's first version always is).</summary>
public sealed record NewItinerary(string? Title, string GeneratedBy, string? ModelVersion, bool Select, IReadOnlyList<NewItineraryDay> Days);

/// <summary>A day of the version, by id or by day number (exactly one is set).</summary>
public sealed record DayRef(Guid? DayId, int? DayNumber);

/// <summary>
/// Changes to an item: null leaves a value as it is, a Clear flag clears an optional one. Cost and currency change
/// together (ClearCost clears both).
/// </summary>
public sealed record ItineraryItemPatch(
    string? ItemType = null, string? Title = null, string? Description = null, string? StartTime = null, string? EndTime = null,
    int? DurationMinutes = null, decimal? CostPerPerson = null, string? Currency = null, bool? BookingRequired = null, Guid? BookingId = null,
    Guid? AttractionId = null, string? Status = null, string? AiReason = null, decimal? AiConfidence = null, int? UserRating = null,
    bool ClearDescription = false, bool ClearStartTime = false, bool ClearEndTime = false, bool ClearDuration = false, bool ClearCost = false,
    bool ClearBooking = false, bool ClearAttraction = false, bool ClearAiReason = false, bool ClearAiConfidence = false, bool ClearUserRating = false);

/// <summary>What a change to an itinerary came to. Done carries the version as it now is (and the item made, if any).</summary>
public abstract record ItineraryChange
{
    public sealed record Done(ItineraryRow Itinerary, Guid? ItemId = null) : ItineraryChange;
    /// <summary>The trip, the version, the day or the item (named by What) is not there, or not readable by the caller.</summary>
    public sealed record NotFound(string What) : ItineraryChange;
    public sealed record Forbidden : ItineraryChange;
    /// <summary>If-Match named another revision: nothing was written.</summary>
    public sealed record Stale : ItineraryChange;
    public sealed record Invalid(string Field, string Message) : ItineraryChange;
    public sealed record Conflict(string Detail) : ItineraryChange;
}

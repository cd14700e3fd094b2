using TravelFunctions.Data.Preferences;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Preferences;

public enum AccommodationType { Hotel, Hostel, Apartment, Resort, Guesthouse, BedAndBreakfast, Villa, Boutique, Camping }
public enum ActivityTime { Morning, Afternoon, Evening, Night }
public enum TravelPace { Relaxed, Moderate, Fast }

/// <summary>An interest category chosen for a trip, 10 mattering most.</summary>
public sealed record InterestInput(string? Category, int? Priority);

/// <summary>
/// PUT /api/trips/{id}/preferences: the whole document, replacing what was saved. An absent list is empty, an absent
/// flag false, an absent pace or customRestrictions not set. Keys come from the reference data
/// (/api/reference/...).
/// </summary>
public sealed record TripPreferencesRequest(
    IReadOnlyList<string>? DietaryRestrictions, IReadOnlyList<string>? AccessibilityNeeds, string? CustomRestrictions,
    IReadOnlyList<AccommodationType>? AccommodationTypes, IReadOnlyList<string>? AccommodationAmenities,
    IReadOnlyList<ActivityTime>? PreferredActivityTimes, bool? AvoidCrowds, bool? PreferOffbeat, TravelPace? Pace,
    IReadOnlyList<InterestInput>? Interests)
{
    public TripPreferences ToDocument() => new(
        DietaryRestrictions ?? [], AccessibilityNeeds ?? [], string.IsNullOrWhiteSpace(CustomRestrictions) ? null : CustomRestrictions.Trim(),
        (AccommodationTypes ?? []).Select(t => t.ToText()).ToList(), AccommodationAmenities ?? [],
        (PreferredActivityTimes ?? []).Select(t => t.ToText()).ToList(), AvoidCrowds ?? false, PreferOffbeat ?? false,
        Pace?.ToText(), (Interests ?? []).Select(i => new TripInterest(i.Category!, i.Priority!.Value)).ToList(), 0, null);
}

public sealed record InterestResponse(string Category, int Priority);

/// <summary>A trip's preferences; version 0 (ETag "0") until any are saved.</summary>
public sealed record TripPreferencesResponse(
    IReadOnlyList<string> DietaryRestrictions, IReadOnlyList<string> AccessibilityNeeds, string? CustomRestrictions,
    IReadOnlyList<AccommodationType> AccommodationTypes, IReadOnlyList<string> AccommodationAmenities,
    IReadOnlyList<ActivityTime> PreferredActivityTimes, bool AvoidCrowds, bool PreferOffbeat, TravelPace? Pace,
    IReadOnlyList<InterestResponse> Interests, int Version, DateTimeOffset? UpdatedAt)
{
    public static TripPreferencesResponse From(TripPreferences p) => new(
        p.DietaryRestrictions, p.AccessibilityNeeds, p.CustomRestrictions,
        p.AccommodationTypes.Select(EnumText.Parse<AccommodationType>).ToList(), p.AccommodationAmenities,
        p.PreferredActivityTimes.Select(EnumText.Parse<ActivityTime>).ToList(), p.AvoidCrowds, p.PreferOffbeat,
        EnumText.ParseOrNull<TravelPace>(p.Pace), p.Interests.Select(i => new InterestResponse(i.Category, i.Priority)).ToList(),
        p.Version, p.UpdatedAt);
}

public sealed record ReferenceItem(string Key, string DisplayName)
{
    public static ReferenceItem From(ReferenceEntry e) => new(e.Key, e.DisplayName);
}

/// <summary>A category and the narrower ones under it.</summary>
public sealed record CategoryNode(string Key, string DisplayName, int Level, IReadOnlyList<CategoryNode> Children);

/// <summary>The interest-category tree, roots first in their display order.</summary>
public sealed record CategoryTree(IReadOnlyList<CategoryNode> Categories)
{
    /// <summary>Rows come parents first (by level), so each node's children are complete when it is built bottom-up.</summary>
    public static CategoryTree From(IReadOnlyList<CategoryRow> rows)
    {
        var children = rows.Where(r => r.ParentKey is not null).ToLookup(r => r.ParentKey!);
        CategoryNode Node(CategoryRow r) => new(r.Key, r.DisplayName, r.Level, children[r.Key].Select(Node).ToList());
        return new CategoryTree(rows.Where(r => r.ParentKey is null).Select(Node).ToList());
    }
}

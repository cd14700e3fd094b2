namespace TravelFunctions.Data.Preferences;

/// <summary>An entry of a flat reference list (dietary restrictions, accessibility needs).</summary>
public sealed record ReferenceEntry(string Key, string DisplayName);

/// <summary>A node of the interest-category tree, flat as stored: roots have no parent.</summary>
public sealed record CategoryRow(string Key, string DisplayName, string? ParentKey, int Level, int SortOrder);

public sealed record TripInterest(string Category, int Priority);

/// <summary>
/// A trip's preferences as one document. Version 0 means none saved yet (every list empty, nothing set); the
/// version is the document's ETag.
/// </summary>
public sealed record TripPreferences(
    IReadOnlyList<string> DietaryRestrictions, IReadOnlyList<string> AccessibilityNeeds, string? CustomRestrictions,
    IReadOnlyList<string> AccommodationTypes, IReadOnlyList<string> AccommodationAmenities, IReadOnlyList<string> PreferredActivityTimes,
    bool AvoidCrowds, bool PreferOffbeat, string? Pace, IReadOnlyList<TripInterest> Interests, int Version, DateTimeOffset? UpdatedAt)
{
    public static TripPreferences None { get; } = new([], [], null, [], [], [], false, false, null, [], 0, null);
}

/// <summary>What saving preferences came to.</summary>
public abstract record PreferencesChange
{
    public sealed record Saved(TripPreferences Preferences) : PreferencesChange;
    public sealed record TripNotFound : PreferencesChange;
    public sealed record Forbidden : PreferencesChange;
    public sealed record Stale : PreferencesChange;
    /// <summary>Keys that are not in the reference data, by the request member that carried them.</summary>
    public sealed record UnknownKeys(string Field, IReadOnlyList<string> Keys) : PreferencesChange;
}

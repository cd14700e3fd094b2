using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Users;

public enum CabinClass { Economy, PremiumEconomy, Business, First }
public enum SeatPreference { Window, Aisle, NoPreference }
public enum MealPreference { Standard, Vegetarian, Vegan, Kosher, Halal, GlutenFree, NoPreference }

public sealed record RegisterRequest(string? Email, string? Password, string? FirstName, string? LastName, string? Phone);

public sealed record LoyaltyProgram(string Program, string Number);
public sealed record NotificationPreferences(bool Email, bool Sms, bool Push);

public sealed record Preferences(
    CabinClass? CabinClass, SeatPreference? Seat, MealPreference? Meal,
    IReadOnlyList<string> Airlines, IReadOnlyList<string> HotelChains, IReadOnlyList<LoyaltyProgram> LoyaltyPrograms,
    NotificationPreferences Notifications, IReadOnlyList<string> Accessibility, IReadOnlyList<string> Dietary,
    string Language, string Timezone, string? HomeAirport);

public sealed record UserResponse(
    Guid Id, string Email, string FirstName, string LastName, string? Phone, bool EmailVerified,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastLoginAt, Preferences Preferences);

/// <summary>
/// PATCH /api/users/me, a JSON Merge Patch: absent leaves a value as it is, null clears an optional one (phone; in
/// preferences cabinClass, seat, meal, homeAirport, and the lists, which become empty), a value sets it; preferences
/// merge member by member. "" still clears the phone, as it did before merge patch.
/// </summary>
public sealed record UpdateUserRequest(string? FirstName, string? LastName, string? Phone, PreferencesPatch? Preferences) : IMergePatch
{
    [JsonIgnore] public IReadOnlySet<string> Sent { get; init; } = MergePatch.Nothing;
    public IMergePatch WithSent(IReadOnlySet<string> sent) => this with { Sent = sent };
}

public sealed record PreferencesPatch(
    CabinClass? CabinClass, SeatPreference? Seat, MealPreference? Meal,
    IReadOnlyList<string>? Airlines, IReadOnlyList<string>? HotelChains, IReadOnlyList<LoyaltyProgram>? LoyaltyPrograms,
    NotificationPreferences? Notifications, IReadOnlyList<string>? Accessibility, IReadOnlyList<string>? Dietary,
    string? Language, string? Timezone, string? HomeAirport);

namespace TravelFunctions.Data.Users;

public sealed record NewUser(Guid Id, string Email, string PasswordHash, string FirstName, string LastName, string? Phone);

public sealed record LoginRecord(Guid Id, string PasswordHash, string Status, int FailedLoginCount, DateTimeOffset? LockedUntil);

public sealed record UserRow(
    Guid Id, string Email, string FirstName, string LastName, string? Phone, bool EmailVerified, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastLoginAt);

public sealed record ProfileRow(
    string? PreferredCabinClass, string? SeatPreference, string? MealPreference,
    string PreferredAirlines, string PreferredHotelChains, string LoyaltyPrograms, string NotificationPreferences,
    string AccessibilityRequirements, string DietaryRestrictions,
    string PreferredLanguage, string Timezone, string? HomeAirport, DateTimeOffset UpdatedAt);

/// <summary>A change to the user and profile: null means "leave as is"; JSON columns are passed as JSON text.</summary>
public sealed record UserChanges(
    string? FirstName = null, string? LastName = null, string? Phone = null, bool ClearPhone = false,
    string? CabinClass = null, string? Seat = null, string? Meal = null,
    string? AirlinesJson = null, string? HotelChainsJson = null, string? LoyaltyJson = null, string? NotificationsJson = null,
    string? AccessibilityJson = null, string? DietaryJson = null,
    string? Language = null, string? Timezone = null, string? HomeAirport = null,
    bool ClearCabinClass = false, bool ClearSeat = false, bool ClearMeal = false, bool ClearHomeAirport = false);

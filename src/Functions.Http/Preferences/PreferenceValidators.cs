using FluentValidation;

namespace TravelFunctions.Http.Preferences;

/// <summary>The shapes trip_preferences and its lists accept (0020_trip_preferences.sql); unknown keys are the store's to find.</summary>
public sealed class TripPreferencesRequestValidator : AbstractValidator<TripPreferencesRequest>
{
    private const string KeyPattern = @"^[a-z][a-z0-9_]{1,49}\z";

    public TripPreferencesRequestValidator()
    {
        RuleFor(r => r.DietaryRestrictions).Must(BeASet).WithMessage("No entry may repeat.")
            .Must(l => l!.Count <= 20).WithMessage("At most 20 entries.").When(r => r.DietaryRestrictions is not null);
        RuleForEach(r => r.DietaryRestrictions).NotEmpty().Matches(KeyPattern).WithMessage("A key from /api/reference/dietary-restrictions.");
        RuleFor(r => r.AccessibilityNeeds).Must(BeASet).WithMessage("No entry may repeat.")
            .Must(l => l!.Count <= 20).WithMessage("At most 20 entries.").When(r => r.AccessibilityNeeds is not null);
        RuleForEach(r => r.AccessibilityNeeds).NotEmpty().Matches(KeyPattern).WithMessage("A key from /api/reference/accessibility-needs.");
        RuleFor(r => r.CustomRestrictions).MaximumLength(2000);
        RuleFor(r => r.AccommodationTypes).Must(l => l!.Distinct().Count() == l!.Count).WithMessage("No entry may repeat.")
            .When(r => r.AccommodationTypes is not null);
        RuleFor(r => r.AccommodationAmenities).Must(BeASet).WithMessage("No entry may repeat.")
            .Must(l => l!.Count <= 30).WithMessage("At most 30 amenities.").When(r => r.AccommodationAmenities is not null);
        RuleForEach(r => r.AccommodationAmenities).NotEmpty().Matches(KeyPattern)
            .WithMessage("An amenity is a lowercase key such as 'wifi' or 'air_conditioning' (2–50 characters).");
        RuleFor(r => r.PreferredActivityTimes).Must(l => l!.Distinct().Count() == l!.Count).WithMessage("No entry may repeat.")
            .When(r => r.PreferredActivityTimes is not null);
        RuleFor(r => r.Interests).Must(l => l!.Count <= 30).WithMessage("At most 30 interests.")
            .Must(l => l!.Select(i => i.Category).Distinct().Count() == l!.Count).WithMessage("Each category at most once.")
            .When(r => r.Interests is not null);
        RuleForEach(r => r.Interests).ChildRules(i =>
        {
            i.RuleFor(x => x.Category).NotEmpty().Matches(KeyPattern).WithMessage("A key from /api/reference/interest-categories.");
            i.RuleFor(x => x.Priority).NotNull().InclusiveBetween(1, 10);
        });
    }

    private static bool BeASet(IReadOnlyList<string>? items) => items is null || items.Distinct(StringComparer.Ordinal).Count() == items.Count;
}

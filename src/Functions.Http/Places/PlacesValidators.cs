using System.Text.Json;
using FluentValidation;

namespace TravelFunctions.Http.Places;

internal static class PlaceRules
{
    public static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>An IANA zone id (Region/City, or UTC), as PostgreSQL's list has them.</summary>
    public static bool IsTimeZone(string? tz) =>
        tz is not null && (tz == "UTC" || tz.Contains('/')) && TimeZoneInfo.TryFindSystemTimeZoneById(tz, out var zone) && zone.HasIanaId;

    public static bool IsTime(string? t, bool allow24) =>
        t is { Length: 5 } && (allow24 && t == "24:00" || TimeOnly.TryParseExact(t, "HH:mm", out _));

    public static IRuleBuilderOptions<T, GeoPoint?> ValidPoint<T>(this IRuleBuilder<T, GeoPoint?> rule) =>
        rule.Must(p => p!.Lat is >= -90 and <= 90 && p.Lon is >= -180 and <= 180)
            .WithMessage("{PropertyName} is {lat, lon}: lat -90 to 90, lon -180 to 180 (WGS 84).");

    public static IRuleBuilderOptions<T, List<string>?> Slugs<T>(this IRuleBuilder<T, List<string>?> rule, int max) =>
        rule.Must(l => l!.Count <= max && l.All(s => s is not null && NearbyQuery.Slug().IsMatch(s)))
            .WithMessage($"{{PropertyName}} is at most {max} lower-case words (letters, digits, underscores).");

    public static IRuleBuilderOptions<T, PriceInput?> ValidPrice<T>(this IRuleBuilder<T, PriceInput?> rule) =>
        rule.Must(p => p!.Amount is >= 0 and < 100_000_000 && decimal.Round(p.Amount.Value, 2) == p.Amount
                       && p.Currency is { Length: 3 } c && c.All(char.IsAsciiLetterUpper))
            .WithMessage("{PropertyName} is {amount, currency}: amount 0 or more with at most 2 decimals, currency an ISO 4217 code such as 'EUR'.");
}

public sealed class UpsertCountryRequestValidator : AbstractValidator<UpsertCountryRequest>
{
    public UpsertCountryRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Centroid).ValidPoint().When(r => r.Centroid is not null);
        RuleFor(r => r.CurrencyCode).Matches("^[A-Z]{3}$").WithMessage("currencyCode is an ISO 4217 code such as 'EUR'.");
        RuleFor(r => r.Timezone).Must(PlaceRules.IsTimeZone).WithMessage("timezone is required: an IANA time zone such as 'Europe/Paris'.");
        RuleFor(r => r.PopularityScore).InclusiveBetween(0, 1).PrecisionScale(3, 2, true);
        RuleFor(r => r.DailyCost).Must(c => c!.Budget is null or >= 0 && c.Mid is null or >= 0 && c.Luxury is null or >= 0)
            .WithMessage("dailyCost amounts are 0 or more.").When(r => r.DailyCost is not null);
        RuleFor(r => r.CurrencyCode).NotEmpty().WithMessage("currencyCode is required with dailyCost (its amounts are in that currency).")
            .When(r => r.DailyCost is { } c && (c.Budget ?? c.Mid ?? c.Luxury) is not null);
    }
}

public sealed class UpsertCityRequestValidator : AbstractValidator<UpsertCityRequest>
{
    public UpsertCityRequestValidator()
    {
        RuleFor(r => r.GooglePlacesId).NotEmpty().MaximumLength(255);
        RuleFor(r => r.CountryCode).NotEmpty().Matches("^[A-Z]{2}$").WithMessage("countryCode is an ISO 3166-1 alpha-2 code such as 'FR'.");
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.NameLocal).MaximumLength(100).Must(n => n!.Trim().Length > 0).When(r => r.NameLocal is not null)
            .WithMessage("nameLocal is not blank.");
        RuleFor(r => r.Aliases).Must(a => a!.Count <= 20 && a.All(s => !string.IsNullOrWhiteSpace(s) && s.Length <= 100))
            .WithMessage("aliases is at most 20 names of 1 to 100 characters.").When(r => r.Aliases is not null);
        RuleFor(r => r.Location).Cascade(CascadeMode.Stop).NotNull().ValidPoint();
        RuleFor(r => r.CityType).Must(t => t is "capital" or "major_city" or "city" or "town").When(r => r.CityType is not null)
            .WithMessage("cityType is one of: capital, major_city, city, town.");
        RuleFor(r => r.Population).GreaterThanOrEqualTo(0);
        RuleFor(r => r.PopularityScore).InclusiveBetween(0, 1).PrecisionScale(3, 2, true);
        RuleFor(r => r.IataCode).Matches("^[A-Z]{3}$").WithMessage("iataCode is a 3-letter IATA code such as 'CDG'.");
        RuleFor(r => r.Timezone).Must(PlaceRules.IsTimeZone).When(r => r.Timezone is not null)
            .WithMessage("timezone is an IANA time zone such as 'Europe/Paris' (leave it out to use the country's).");
    }
}

public sealed class UpsertAttractionRequestValidator : AbstractValidator<UpsertAttractionRequest>
{
    public UpsertAttractionRequestValidator()
    {
        RuleFor(r => r.CityId).NotEmpty();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.NameLocal).MaximumLength(200).Must(n => n!.Trim().Length > 0).When(r => r.NameLocal is not null)
            .WithMessage("nameLocal is not blank.");
        RuleFor(r => r.Type).NotEmpty().Matches("^[a-z][a-z_]{0,49}$").WithMessage("type is required: lower-case letters and underscores (e.g. museum).");
        RuleFor(r => r.Categories).Slugs(20).When(r => r.Categories is not null);
        RuleFor(r => r.Tags).Slugs(30).When(r => r.Tags is not null);
        RuleFor(r => r.Address).MaximumLength(500);
        RuleFor(r => r.Location).Cascade(CascadeMode.Stop).NotNull().ValidPoint();
        RuleFor(r => r.OpeningHours).Must(BeValidHours).When(r => r.OpeningHours is not null)
            .WithMessage("openingHours maps days (monday … sunday) to up to 6 intervals {open, close} in HH:mm, open before close (close may be 24:00).");
        RuleFor(r => r.TypicalVisitMinutes).InclusiveBetween(1, 1440);
        RuleFor(r => r.Crowdedness).Must(c => c is "low" or "moderate" or "high").When(r => r.Crowdedness is not null)
            .WithMessage("crowdedness is one of: low, moderate, high.");
        RuleFor(r => r.PricingType).Must(c => c is "free" or "paid" or "donation").When(r => r.PricingType is not null)
            .WithMessage("pricingType is one of: free, paid, donation.");
        RuleFor(r => r.PriceAdult).ValidPrice().When(r => r.PriceAdult is not null);
        RuleFor(r => r.PriceAdult).Must(p => p!.Amount == 0).When(r => r.PricingType == "free" && r.PriceAdult is not null)
            .WithMessage("A free attraction has no adult price above 0.");
        RuleFor(r => r.Rating).InclusiveBetween(0, 5).PrecisionScale(2, 1, true);
        RuleFor(r => r.ReviewCount).GreaterThanOrEqualTo(0);
        RuleFor(r => r.Accessibility).Must(a => a!.Count <= 30).When(r => r.Accessibility is not null)
            .WithMessage("accessibility is an object of at most 30 features.");
        RuleFor(r => r.ExternalIds).Cascade(CascadeMode.Stop).NotNull()
            .Must(e => new[] { e!.GooglePlaces, e.Tripadvisor, e.GetYourGuide, e.Viator }.Any(id => !string.IsNullOrWhiteSpace(id)))
            .WithMessage("externalIds needs at least one of googlePlaces, tripadvisor, getYourGuide, viator: the import's key.");
        RuleFor(r => r.ExternalIds).Must(e => new[] { e!.GooglePlaces, e.Tripadvisor }.All(id => id is null || id.Trim().Length is > 0 and <= 255)
                                               && new[] { e.GetYourGuide, e.Viator }.All(id => id is null || id.Trim().Length is > 0 and <= 100))
            .When(r => r.ExternalIds is not null).WithMessage("externalIds are not blank: googlePlaces and tripadvisor at most 255 characters, getYourGuide and viator 100.");
        RuleFor(r => r.ImageUrls).Must(u => u!.Count <= 20 && u.All(IsHttps)).When(r => r.ImageUrls is not null)
            .WithMessage("imageUrls is at most 20 https URLs.");
        RuleFor(r => r.ExternalData).Must(d => d!.Value.ValueKind == JsonValueKind.Object && d.Value.GetRawText().Length <= 200_000)
            .When(r => r.ExternalData is not null).WithMessage("externalData is a JSON object of at most 200 000 characters.");
    }

    internal static bool IsHttps(string? url) =>
        url is { Length: <= 2000 } && Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps;

    private static bool BeValidHours(Dictionary<string, List<OpeningInterval>>? hours) =>
        hours!.All(d => PlaceRules.Days.Contains(d.Key) && d.Value is { Count: <= 6 }
            && d.Value.All(i => i is not null && PlaceRules.IsTime(i.Open, false) && PlaceRules.IsTime(i.Close, true)
                                && string.CompareOrdinal(i.Close, i.Open) > 0));
}

public sealed class UpsertBookingLinkRequestValidator : AbstractValidator<UpsertBookingLinkRequest>
{
    public UpsertBookingLinkRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.LinkableType).NotEmpty().Must(t => t is "attraction" or "trip" or "itinerary_item")
            .WithMessage("linkableType is one of: attraction, trip, itinerary_item.");
        RuleFor(r => r.LinkableId).NotEmpty();
        RuleFor(r => r.Provider).NotEmpty().Matches("^[a-z][a-z0-9_]{0,49}$").WithMessage("provider is required: lower-case (e.g. getyourguide).");
        RuleFor(r => r.BookingUrl).Must(UpsertAttractionRequestValidator.IsHttps).WithMessage("bookingUrl is required: an https URL.");
        RuleFor(r => r.DeeplinkUrl).MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out _)).When(r => r.DeeplinkUrl is not null).WithMessage("deeplinkUrl is an absolute URI.");
        RuleFor(r => r.PriceFrom).ValidPrice().When(r => r.PriceFrom is not null);
        RuleFor(r => r.AffiliateCode).MaximumLength(100);
        RuleFor(r => r.ExpiresAt).NotNull().Must(e => e > clock.GetUtcNow() && e < clock.GetUtcNow().AddDays(366))
            .WithMessage("expiresAt is required: in the future, within a year.");
    }
}

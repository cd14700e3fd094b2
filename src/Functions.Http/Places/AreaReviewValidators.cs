using FluentValidation;

namespace TravelFunctions.Http.Places;

public sealed class UpsertCityAreaRequestValidator : AbstractValidator<UpsertCityAreaRequest>
{
    public UpsertCityAreaRequestValidator()
    {
        RuleFor(r => r.CityId).NotEmpty();
        RuleFor(r => r.Name).Must(n => n is not null && n.Trim().Length is > 0 and <= 100).WithMessage("name is required: 1 to 100 characters.");
        RuleFor(r => r.Description).MaximumLength(2000);
        RuleFor(r => r.Center).ValidPoint().When(r => r.Center is not null);
        RuleFor(r => r.Tags).Slugs(30).When(r => r.Tags is not null);
    }
}

public sealed class UpsertReviewRequestValidator : AbstractValidator<UpsertReviewRequest>
{
    /// <summary>The sources reviews are cached from (the table's CHECK has the same list).</summary>
    public static readonly string[] Sources = ["google", "tripadvisor", "getyourguide", "viator"];

    /// <summary>No review predates the web's review sites (the table's CHECK has the same floor).</summary>
    public static readonly DateOnly EarliestReviewDate = new(1990, 1, 1);

    public UpsertReviewRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.AttractionId).NotEmpty();
        RuleFor(r => r.Source).NotEmpty().Must(s => Sources.Contains(s)).WithMessage($"source is one of: {string.Join(", ", Sources)}.");
        RuleFor(r => r.ExternalReviewId).Must(id => id is not null && id.Trim().Length is > 0 and <= 255)
            .WithMessage("externalReviewId is required: the provider's id of the review, 1 to 255 characters.");
        RuleFor(r => r.AuthorName).MaximumLength(100);
        RuleFor(r => r.Rating).NotNull().InclusiveBetween(1, 5);
        RuleFor(r => r.Text).MaximumLength(10_000);
        RuleFor(r => r.Language).Matches("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$").MaximumLength(35)
            .WithMessage("language is a BCP 47 tag in lower-case language form, such as 'en' or 'pt-BR'.");
        // A day of slack: "today" where the reviewer was may be tomorrow in UTC.
        RuleFor(r => r.ReviewDate).Must(d => d >= EarliestReviewDate && d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1))
            .When(r => r.ReviewDate is not null).WithMessage("reviewDate is a date (yyyy-MM-dd) from 1990-01-01 to today.");
    }
}

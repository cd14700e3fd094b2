using FluentValidation;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public sealed class CreateTripRequestValidator : AbstractValidator<CreateTripRequest>
{
    public CreateTripRequestValidator()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Description).MaximumLength(4000);
        RuleFor(r => r.TripType).NotNull();
        RuleFor(r => r.StartDate).NotNull();
        RuleFor(r => r.EndDate).NotNull()
            .GreaterThanOrEqualTo(r => r.StartDate).When(r => r.StartDate is not null).WithMessage("The end date must be on or after the start date.");
        RuleFor(r => r.TravelerCount).NotNull().InclusiveBetween(1, 50);
        Include(new TripFieldRules());
        RuleForEach(r => r.Destinations).Must((r, d) => TripDates.Inside(d, r.StartDate, r.EndDate))
            .WithMessage("Destination dates must fall within the trip's dates.");
    }
}

public sealed class UpdateTripRequestValidator : AbstractValidator<UpdateTripRequest>
{
    public UpdateTripRequestValidator()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200).When(r => r.Title is not null);
        // Members a trip cannot be without: null in a merge patch would clear them, which is refused.
        RuleFor(r => r.Title).NotNull().When(r => r.Sent.Contains("title")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.TripType).NotNull().When(r => r.Sent.Contains("tripType")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Status).NotNull().When(r => r.Sent.Contains("status")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.StartDate).NotNull().When(r => r.Sent.Contains("startDate")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.EndDate).NotNull().When(r => r.Sent.Contains("endDate")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.TravelerCount).NotNull().When(r => r.Sent.Contains("travelerCount")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Description).MaximumLength(4000);
        RuleFor(r => r.TravelerCount).InclusiveBetween(1, 50).When(r => r.TravelerCount is not null);
        RuleFor(r => r.EndDate).GreaterThanOrEqualTo(r => r.StartDate).When(r => r.StartDate is not null && r.EndDate is not null)
            .WithMessage("The end date must be on or after the start date.");
        Include(new TripFieldRules());
    }
}

/// <summary>Rules shared by create and update for the optional parts of a trip.</summary>
public sealed class TripFieldRules : AbstractValidator<ITripFields>
{
    public TripFieldRules()
    {
        RuleFor(r => r.OriginCity).NotEmpty().MaximumLength(100).When(r => r.OriginCity is not null);
        RuleFor(r => r.OriginCountry).Matches(@"^[A-Z]{2}\z").WithMessage("Country is an ISO 3166-1 alpha-2 code such as 'FR'.");
        RuleFor(r => r.Destinations).Must(d => d!.Count <= 50).When(r => r.Destinations is not null).WithMessage("At most 50 destinations.");
        RuleForEach(r => r.Destinations).SetValidator(new DestinationValidator());
        RuleFor(r => r.Budget!).SetValidator(new MoneyValidator()).When(r => r.Budget is not null);
    }
}

public sealed class DestinationValidator : AbstractValidator<DestinationInput>
{
    public DestinationValidator()
    {
        RuleFor(x => x.City).NotEmpty().MaximumLength(100);
        RuleFor(x => x.Country).NotEmpty().Matches(@"^[A-Z]{2}\z").WithMessage("Country is an ISO 3166-1 alpha-2 code such as 'FR'.");
        RuleFor(x => x.DepartureDate).GreaterThanOrEqualTo(x => x.ArrivalDate)
            .When(x => x.ArrivalDate is not null && x.DepartureDate is not null).WithMessage("Departure must be on or after arrival.");
    }
}

public sealed class MoneyValidator : AbstractValidator<MoneyInput>
{
    public MoneyValidator()
    {
        RuleFor(x => x.Amount).NotNull().InclusiveBetween(0m, 9_999_999_999.99m)
            .Must(a => a is null || decimal.Round(a.Value, 2) == a.Value).WithMessage("At most two decimals.");
        RuleFor(x => x.Currency).NotEmpty().Matches(@"^[A-Z]{3}\z").WithMessage("Currency is an ISO 4217 code such as 'EUR'.");
    }
}

internal static class TripDates
{
    public static bool Inside(DestinationInput d, DateOnly? start, DateOnly? end) =>
        start is null || end is null ||
        ((d.ArrivalDate is null || (d.ArrivalDate >= start && d.ArrivalDate <= end)) &&
         (d.DepartureDate is null || (d.DepartureDate >= start && d.DepartureDate <= end)));
}

public sealed class WithdrawInvitationRequestValidator : AbstractValidator<WithdrawInvitationRequest>
{
    public WithdrawInvitationRequestValidator() => RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress();
}

public sealed class InviteRequestValidator : AbstractValidator<InviteRequest>
{
    public InviteRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress();
        RuleFor(r => r.Role).NotNull();
    }
}

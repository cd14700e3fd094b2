using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Results;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

internal static partial class BookingRules
{
    public const decimal MaxMoney = 9_999_999_999.99m;

    public static bool HasAtMostTwoDecimals(decimal? value) => value is not { } v || decimal.Round(v, 2) == v;

    /// <summary>Exactly two decimals, so equal amounts look (and hash) the same: 100 → 100.00.</summary>
    public static decimal Money(decimal value) => decimal.Round(value, 2) + 0.00m;

    [GeneratedRegex(@"^[A-Z]{3}\z")] public static partial Regex Currency();
    [GeneratedRegex(@"^[A-Z]{3}\z")] public static partial Regex Airport();
    [GeneratedRegex(@"^[A-Z0-9]{2}\z")] public static partial Regex Airline();
    [GeneratedRegex(@"^[0-9]{1,4}[A-Z]?\z")] public static partial Regex FlightNumber();
    [GeneratedRegex(@"^[0-9]{1,3}[A-K]\z")] public static partial Regex Seat();
    [GeneratedRegex(@"^([01][0-9]|2[0-3]):[0-5][0-9]\z")] public static partial Regex Time();
    [GeneratedRegex(@"^[A-Z0-9]{8}\z")] public static partial Regex ConfirmationCode();

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int max) =>
        rule.NotEmpty().MaximumLength(max);
}

public sealed class CreateBookingRequestValidator : AbstractValidator<CreateBookingRequest>
{
    public CreateBookingRequestValidator()
    {
        RuleFor(r => r.BookingType).NotNull();
        RuleFor(r => r.TotalAmount).NotNull().InclusiveBetween(0m, BookingRules.MaxMoney)
            .Must(BookingRules.HasAtMostTwoDecimals).WithMessage("At most two decimals.");
        RuleFor(r => r.Currency).NotNull().Matches(BookingRules.Currency())
            .WithMessage("Currency is an ISO 4217 code of three capital letters, e.g. EUR.");
        RuleFor(r => r.SupplierName).Text(200).When(r => r.SupplierName is not null);
        RuleFor(r => r.Cancellable).NotNull();
        RuleFor(r => r.CancellationFee).GreaterThanOrEqualTo(0m)
            .Must(BookingRules.HasAtMostTwoDecimals).WithMessage("At most two decimals.")
            .Must((r, fee) => r.TotalAmount is not { } total || fee <= total).WithMessage("The cancellation fee cannot exceed the total amount.")
            .When(r => r.CancellationFee is not null);
        RuleFor(r => r.Details).Custom((_, ctx) =>
        {
            if (ctx.InstanceToValidate.BookingType is null) return; // reported on bookingType
            foreach (var (field, messages) in ctx.InstanceToValidate.ReadDetails().Errors)
                foreach (var message in messages)
                    ctx.AddFailure(new ValidationFailure(field, message));
        });
    }
}

public sealed class FlightDetailsValidator : AbstractValidator<FlightDetails>
{
    public FlightDetailsValidator()
    {
        RuleFor(d => d.Origin).NotNull().Matches(BookingRules.Airport()).WithMessage("An IATA airport code of three capital letters, e.g. LIS.");
        RuleFor(d => d.Destination).NotNull().Matches(BookingRules.Airport()).WithMessage("An IATA airport code of three capital letters, e.g. JFK.")
            .NotEqual(d => d.Origin).WithMessage("Destination must differ from origin.");
        RuleFor(d => d.DepartureTime).NotNull();
        RuleFor(d => d.ArrivalTime).NotNull()
            .GreaterThan(d => d.DepartureTime).When(d => d.DepartureTime is not null).WithMessage("Arrival must be after departure.");
        RuleFor(d => d.Airline).NotNull().Matches(BookingRules.Airline()).WithMessage("An IATA airline code of two letters or digits, e.g. TP.");
        RuleFor(d => d.FlightNumber).NotNull().Matches(BookingRules.FlightNumber()).WithMessage("One to four digits, optionally a letter, e.g. 201.");
        RuleFor(d => d.Passengers).NotNull().InclusiveBetween(1, 9);
        RuleFor(d => d.Seats).Must((d, seats) => seats!.Count <= (d.Passengers ?? 9))
            .When(d => d.Seats is not null).WithMessage("At most one seat per passenger.");
        RuleForEach(d => d.Seats).NotNull().Matches(BookingRules.Seat()).WithMessage("A seat like 12A.");
    }
}

public sealed class HotelDetailsValidator : AbstractValidator<HotelDetails>
{
    public HotelDetailsValidator()
    {
        RuleFor(d => d.HotelName).NotNull().Text(200);
        RuleFor(d => d.Address).Text(500).When(d => d.Address is not null);
        RuleFor(d => d.CheckIn).NotNull();
        RuleFor(d => d.CheckOut).NotNull()
            .GreaterThan(d => d.CheckIn).When(d => d.CheckIn is not null).WithMessage("Check-out must be after check-in.");
        RuleFor(d => d.RoomType).Text(100).When(d => d.RoomType is not null);
        RuleFor(d => d.Guests).NotNull().InclusiveBetween(1, 50);
        RuleFor(d => d.Rooms).InclusiveBetween(1, 50).When(d => d.Rooms is not null);
    }
}

public sealed class ActivityDetailsValidator : AbstractValidator<ActivityDetails>
{
    public ActivityDetailsValidator()
    {
        RuleFor(d => d.ActivityName).NotNull().Text(200);
        RuleFor(d => d.Date).NotNull();
        RuleFor(d => d.Time).Matches(BookingRules.Time()).When(d => d.Time is not null).WithMessage("A time of day as HH:mm, e.g. 09:30.");
        RuleFor(d => d.Location).Text(500).When(d => d.Location is not null);
        RuleFor(d => d.Participants).InclusiveBetween(1, 100).When(d => d.Participants is not null);
    }
}

public sealed class CarRentalDetailsValidator : AbstractValidator<CarRentalDetails>
{
    public CarRentalDetailsValidator()
    {
        RuleFor(d => d.Company).NotNull().Text(200);
        RuleFor(d => d.PickupLocation).NotNull().Text(200);
        RuleFor(d => d.DropoffLocation).NotNull().Text(200);
        RuleFor(d => d.PickupTime).NotNull();
        RuleFor(d => d.DropoffTime).NotNull()
            .GreaterThan(d => d.PickupTime).When(d => d.PickupTime is not null).WithMessage("Drop-off must be after pick-up.");
        RuleFor(d => d.CarClass).Text(50).When(d => d.CarClass is not null);
    }
}

public sealed class ConfirmBookingRequestValidator : AbstractValidator<ConfirmBookingRequest>
{
    public ConfirmBookingRequestValidator()
    {
        RuleFor(r => r.SupplierReference).NotNull().Text(100);
    }
}

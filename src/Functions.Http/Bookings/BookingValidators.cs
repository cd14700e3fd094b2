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
    [GeneratedRegex(@"^[0-9]{1,4}[A-Z]?\z")] private static partial Regex FlightNumber();
    [GeneratedRegex(@"^(?<prefix>[A-Z0-9]{2}) *(?<number>[0-9]{1,4}[A-Z]?)\z")] private static partial Regex PrefixedFlightNumber();

    public const string FlightNumberRule =
        "A flight number as on the ticket: TP210, TP 210 or 210 (one to four digits, optionally a letter; a prefix must be the airline).";

    /// <summary>
    /// A flight number as clients write it ("TP210", "TP 210", "tp0210", "210"), normalized to airline + number
    /// without leading zeros: "TP210". Null when it cannot be one, or its prefix is not the airline. A bare number
    /// reads as a number first: with airline "12", "1234" is flight 1234, not 34.
    /// </summary>
    public static string? NormalizeFlightNumber(string? airline, string text)
    {
        var t = text.Trim().ToUpperInvariant();
        string number;
        if (FlightNumber().IsMatch(t)) number = t;
        else if (PrefixedFlightNumber().Match(t) is { Success: true } m && m.Groups["prefix"].Value == airline) number = m.Groups["number"].Value;
        else return null;
        var digits = number.TrimStart('0');
        return airline + (digits.Length == 0 || !char.IsAsciiDigit(digits[0]) ? "0" + digits : digits);
    }
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
        RuleFor(d => d.FlightNumber).NotNull()
            .Must((d, n) => BookingRules.NormalizeFlightNumber(d.Airline, n!) is not null).When(d => d.FlightNumber is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage(BookingRules.FlightNumberRule);
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

using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

/// <summary>
/// Reads and checks a booking's details for its type: strict JSON (unknown fields, wrong types and
/// times without an offset are errors), then the type's rules. Errors are keyed "details.&lt;field&gt;".
/// </summary>
public static class BookingDetailsReader
{
    /// <summary>How details are stored and echoed: camelCase, snake_case enums, absent optional fields left out.</summary>
    private static readonly JsonSerializerOptions Stored = new(ApiJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly IValidator<FlightDetails> Flight = new FlightDetailsValidator();
    private static readonly IValidator<HotelDetails> Hotel = new HotelDetailsValidator();
    private static readonly IValidator<ActivityDetails> Activity = new ActivityDetailsValidator();
    private static readonly IValidator<CarRentalDetails> CarRental = new CarRentalDetailsValidator();

    public static Type DetailsType(BookingType type) => type switch
    {
        BookingType.Flight => typeof(FlightDetails),
        BookingType.Hotel => typeof(HotelDetails),
        BookingType.Activity => typeof(ActivityDetails),
        BookingType.CarRental => typeof(CarRentalDetails),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The details, or the field errors.</summary>
    public static DetailsReading Read(BookingType type, JsonElement? json)
    {
        var errors = new Dictionary<string, string[]>();
        if (json is not { ValueKind: JsonValueKind.Object } element)
        {
            errors["details"] = [$"An object with the {type.ToText()} details is required."];
            return new DetailsReading(null, errors);
        }
        IBookingDetails? details;
        try
        {
            details = (IBookingDetails?)element.Deserialize(DetailsType(type), ApiJson.Options);
        }
        catch (JsonException ex)
        {
            var message = ex is ClientJsonException ? ex.Message
                : ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? $"Unknown field for a {type.ToText()} booking."
                : "The value is missing, malformed or of the wrong type.";
            errors[Field(ApiJson.FieldFromPath(ex.Path))] = [message];
            return new DetailsReading(null, errors);
        }
        var result = details switch
        {
            FlightDetails f => Flight.Validate(f),
            HotelDetails h => Hotel.Validate(h),
            ActivityDetails a => Activity.Validate(a),
            CarRentalDetails c => CarRental.Validate(c),
            _ => throw new InvalidOperationException("No details read."),
        };
        foreach (var group in result.Errors.GroupBy(e => e.PropertyName))
            errors[Field(group.Key)] = group.Select(e => e.ErrorMessage).ToArray();
        if (!result.IsValid) return new DetailsReading(null, errors);
        // Stored as one spelling, whatever the client wrote: "TP 210" and "210" on airline TP are both "TP210".
        if (details is FlightDetails flight) details = flight with { FlightNumber = BookingRules.NormalizeFlightNumber(flight.Airline, flight.FlightNumber!) };
        return new DetailsReading(details, errors);
    }

    /// <summary>The normalized JSON stored in bookings.details and echoed in responses.</summary>
    public static string Normalize(IBookingDetails details) => JsonSerializer.Serialize(details, details.GetType(), Stored);

    private static string Field(string path) => path == "body" ? "details" : "details." + path;
}

/// <summary>Booking details read for their type: the details when valid, else the field errors.</summary>
public sealed record DetailsReading(IBookingDetails? Details, IReadOnlyDictionary<string, string[]> Errors);

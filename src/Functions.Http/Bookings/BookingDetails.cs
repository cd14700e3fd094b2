using System.Text.Json.Serialization;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

public enum FlightCabinClass { Economy, PremiumEconomy, Business, First }

/// <summary>The typed details of one booking type. When the booked service starts and ends (starts_at/ends_at).</summary>
public interface IBookingDetails
{
    (DateTimeOffset StartsAt, DateTimeOffset? EndsAt) Period();
}

public sealed record FlightDetails(
    string? Origin, string? Destination,
    [property: JsonConverter(typeof(OffsetDateTimeConverter))] DateTimeOffset? DepartureTime,
    [property: JsonConverter(typeof(OffsetDateTimeConverter))] DateTimeOffset? ArrivalTime,
    string? Airline, string? FlightNumber, int? Passengers, FlightCabinClass? CabinClass, IReadOnlyList<string>? Seats)
    : IBookingDetails
{
    public (DateTimeOffset StartsAt, DateTimeOffset? EndsAt) Period() => (DepartureTime!.Value, ArrivalTime!.Value);
}

/// <summary>Check-in and check-out are calendar dates; as instants they count from 00:00 UTC.</summary>
public sealed record HotelDetails(
    string? HotelName, string? Address, DateOnly? CheckIn, DateOnly? CheckOut, string? RoomType, int? Guests, int? Rooms)
    : IBookingDetails
{
    public (DateTimeOffset StartsAt, DateTimeOffset? EndsAt) Period() => (Midnight(CheckIn!.Value), Midnight(CheckOut!.Value));

    private static DateTimeOffset Midnight(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>time is HH:mm (local to the activity, taken as UTC for starts_at); no end.</summary>
public sealed record ActivityDetails(string? ActivityName, DateOnly? Date, string? Time, string? Location, int? Participants)
    : IBookingDetails
{
    public (DateTimeOffset StartsAt, DateTimeOffset? EndsAt) Period()
    {
        var time = Time is null ? TimeOnly.MinValue : TimeOnly.ParseExact(Time, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return (new DateTimeOffset(Date!.Value.ToDateTime(time), TimeSpan.Zero), null);
    }
}

public sealed record CarRentalDetails(
    string? Company, string? PickupLocation, string? DropoffLocation,
    [property: JsonConverter(typeof(OffsetDateTimeConverter))] DateTimeOffset? PickupTime,
    [property: JsonConverter(typeof(OffsetDateTimeConverter))] DateTimeOffset? DropoffTime,
    string? CarClass)
    : IBookingDetails
{
    public (DateTimeOffset StartsAt, DateTimeOffset? EndsAt) Period() => (PickupTime!.Value, DropoffTime!.Value);
}

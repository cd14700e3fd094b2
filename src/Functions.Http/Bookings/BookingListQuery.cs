using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Bookings;
using TravelFunctions.Data.Paging;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Bookings;

/// <summary>GET /api/bookings: newest first, over the trips I own or collaborate on.</summary>
[InputConverter(typeof(QueryConverter<BookingListQuery>))]
public sealed record BookingListQuery(BookingFilter Filter, PageRequest<DateTimeOffset> Page) : IQueryRecord<BookingListQuery>
{
    public static BookingListQuery Read(QueryReader query)
    {
        var tripId = query.Guid("tripId", "Only bookings of this trip.");
        var type = query.Enum<BookingType>("type", "Only bookings of this type.");
        var status = query.Enum<BookingStatus>("status", "Only bookings in this status.");
        var from = query.Instant("from", "Only bookings starting at or after this date (yyyy-MM-dd, the whole UTC day) or date-time with offset.");
        var to = query.Instant("to", "Only bookings starting at or before this date (the whole UTC day) or date-time with offset.", endOfDay: true);
        if (from is not null && to < from) query.Fail("to", "'to' must not be before 'from'.");
        return new BookingListQuery(new BookingFilter(tripId, type?.ToText(), status?.ToText(), from, to), query.Page<DateTimeOffset>());
    }
}

public static class BookingsRegistration
{
    public static IServiceCollection AddBookings(this IServiceCollection services) =>
        services.AddJsonContracts(BookingsJson.Default).AddSingleton<ConfirmationCodes>().AddSingleton<BookingStore>();
}

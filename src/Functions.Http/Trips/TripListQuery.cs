using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;
using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

/// <summary>GET /api/trips: newest start date first, filtered.</summary>
[InputConverter(typeof(QueryConverter<TripListQuery>))]
public sealed record TripListQuery(TripFilter Filter, PageRequest<DateOnly> Page) : IQueryRecord<TripListQuery>
{
    public static TripListQuery Read(QueryReader query)
    {
        var status = query.Enum<TripStatus>("status", "Only trips in this status.");
        var text = query.Text("q", "Text in the title, a destination city, or a destination country code.", maxLength: 100);
        var from = query.Date("from", "Only trips ending on or after this date.");
        var to = query.Date("to", "Only trips starting on or before this date.");
        if (from is not null && to < from) query.Fail("to", "to must be on or after from.");
        return new TripListQuery(new TripFilter(status?.ToText(), text, from, to), query.Page<DateOnly>());
    }
}

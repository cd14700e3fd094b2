using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Itineraries;
using TravelFunctions.Data.Paging;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Itineraries;

/// <summary>
/// Itinerary versions of a trip (docs/itineraries.md). Access is the trip's: owner and editors write (a viewer gets 403),
/// viewers read, anyone else gets 404. Every answer carrying a version sets its ETag (the version's revision); item
/// writes, moves, delays and reorders take If-Match and answer 412 when the version has changed since.
/// </summary>
public sealed class ItinerariesFunctions(ItineraryStore store)
{
    private const string Versions = "trips/{tripId}/itineraries";
    private const string Version = Versions + "/{versionId}";
    private const string Item = Version + "/items/{itemId}";

    [Function("CreateItinerary"), RequestSizeLimit(1024 * 1024)]
    public async Task<Results<Created<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Versions)] HttpRequest req, Guid tripId, [JsonBody] CreateItineraryRequest r)
    {
        return await store.CreateAsync(req.UserId(), tripId, ToDocument(r), req.HttpContext.RequestAborted) switch
        {
            ItineraryChange.Done done => Created(req, $"/api/trips/{tripId}/itineraries/{done.Itinerary.Id}", ItineraryResponse.From(done.Itinerary)),
            ItineraryChange.Invalid i => Problems.Invalid(i.Field, i.Message),
            var other => Problem(other),
        };
    }

    [Function("ListItineraries")]
    public async Task<Results<Ok<Page<ItinerarySummary>>, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Versions)] HttpRequest req, Guid tripId, ItineraryListQuery query) =>
        await store.ListAsync(req.UserId(), tripId, query.Page, req.HttpContext.RequestAborted) is { } rows
            ? TypedResults.Ok(Pages.From(rows, query.Page, ItinerarySummary.From, v => new(v.CreatedAt, v.Id)))
            : Problems.NotFound("The trip");

    /// <summary>The version whole (days, items, totals) in one read.</summary>
    [Function("GetItinerary")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Version)] HttpRequest req, Guid tripId, Guid versionId)
    {
        if (await store.GetAsync(req.UserId(), tripId, versionId, req.HttpContext.RequestAborted) is not { } version)
            return Problems.NotFound("The itinerary");
        req.HttpContext.Response.Headers.ETag = IfMatch.ETag(version.Revision);
        return TypedResults.Ok(ItineraryResponse.From(version));
    }

    /// <summary>Deletes the version whole. The selected version only when it is the trip's last (else 409: select another first).</summary>
    [Function("DeleteItinerary")]
    public async Task<Results<NoContent, ProblemHttpResult>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Version)] HttpRequest req, Guid tripId, Guid versionId) =>
        await store.DeleteAsync(req.UserId(), tripId, versionId, req.HttpContext.RequestAborted) is { } refused
            ? Problem(refused) : TypedResults.NoContent();

    /// <summary>Makes this the trip's selected version; the previously selected one is unselected in the same transaction.</summary>
    [Function("SelectItinerary")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> Select(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Version + "/select")] HttpRequest req, Guid tripId, Guid versionId) =>
        Answer(req, await store.SelectAsync(req.UserId(), tripId, versionId, req.HttpContext.RequestAborted));

    [Function("AddItineraryItem")]
    public async Task<Results<Created<ItineraryItemCreated>, ProblemHttpResult, ValidationProblem>> AddItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Version + "/items")] HttpRequest req, Guid tripId, Guid versionId,
        [JsonBody] AddItineraryItemRequest r, IfMatch ifMatch)
    {
        if (ifMatch.CannotMatch) return Problems.PreconditionFailed();
        var change = await store.AddItemAsync(req.UserId(), tripId, versionId, ifMatch.Version, new DayRef(r.DayId, r.DayNumber), r.Position,
            ToNew(r), req.HttpContext.RequestAborted);
        return change switch
        {
            ItineraryChange.Done done => Created(req, $"/api/trips/{tripId}/itineraries/{versionId}",
                new ItineraryItemCreated(done.ItemId!.Value, ItineraryResponse.From(done.Itinerary))),
            ItineraryChange.Invalid i => Problems.Invalid(i.Field, i.Message),
            var other => Problem(other),
        };
    }

    [Function("UpdateItineraryItem")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> UpdateItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Item)] HttpRequest req, Guid tripId, Guid versionId, Guid itemId,
        [JsonBody] UpdateItineraryItemRequest r, IfMatch ifMatch)
    {
        if (ifMatch.CannotMatch) return Problems.PreconditionFailed();
        var patch = new ItineraryItemPatch(
            r.ItemType?.ToText(), r.Title?.Trim(), r.Description, r.StartTime, r.EndTime, r.DurationMinutes, r.CostPerPerson?.Amount,
            r.CostPerPerson?.Currency, r.BookingRequired, r.BookingId, r.AttractionId, r.Status?.ToText(), r.AiReason, r.AiConfidence, r.UserRating,
            ClearDescription: r.Clears("description", r.Description), ClearStartTime: r.Clears("startTime", r.StartTime),
            ClearEndTime: r.Clears("endTime", r.EndTime), ClearDuration: r.Clears("durationMinutes", r.DurationMinutes),
            ClearCost: r.Clears("costPerPerson", r.CostPerPerson), ClearBooking: r.Clears("bookingId", r.BookingId),
            ClearAttraction: r.Clears("attractionId", r.AttractionId), ClearAiReason: r.Clears("aiReason", r.AiReason),
            ClearAiConfidence: r.Clears("aiConfidence", r.AiConfidence), ClearUserRating: r.Clears("userRating", r.UserRating));
        return Answer(req, await store.UpdateItemAsync(req.UserId(), tripId, versionId, itemId, ifMatch.Version, patch, req.HttpContext.RequestAborted));
    }

    /// <summary>Removes the item; the items after it in its day move up one. Answers the version as it now is.</summary>
    [Function("RemoveItineraryItem")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> RemoveItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Item)] HttpRequest req, Guid tripId, Guid versionId, Guid itemId,
        IfMatch ifMatch) =>
        ifMatch.CannotMatch ? Problems.PreconditionFailed()
            : Answer(req, await store.RemoveItemAsync(req.UserId(), tripId, versionId, itemId, ifMatch.Version, req.HttpContext.RequestAborted));

    [Function("MoveItineraryItem")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> MoveItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Item + "/move")] HttpRequest req, Guid tripId, Guid versionId, Guid itemId,
        [JsonBody] MoveItineraryItemRequest r, IfMatch ifMatch) =>
        ifMatch.CannotMatch ? Problems.PreconditionFailed()
            : Answer(req, await store.MoveItemAsync(req.UserId(), tripId, versionId, itemId, ifMatch.Version, new DayRef(r.ToDayId, r.ToDayNumber),
                r.Position, req.HttpContext.RequestAborted));

    /// <summary>The original stays with status delayed and delayedToItemId; the answer names the copy made in the other day.</summary>
    [Function("DelayItineraryItem")]
    public async Task<Results<Created<ItineraryItemCreated>, ProblemHttpResult, ValidationProblem>> DelayItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Item + "/delay")] HttpRequest req, Guid tripId, Guid versionId, Guid itemId,
        [JsonBody] DelayItineraryItemRequest r, IfMatch ifMatch)
    {
        if (ifMatch.CannotMatch) return Problems.PreconditionFailed();
        var change = await store.DelayItemAsync(req.UserId(), tripId, versionId, itemId, ifMatch.Version, new DayRef(r.ToDayId, r.ToDayNumber),
            r.Position, req.HttpContext.RequestAborted);
        return change switch
        {
            ItineraryChange.Done done => Created(req, $"/api/trips/{tripId}/itineraries/{versionId}",
                new ItineraryItemCreated(done.ItemId!.Value, ItineraryResponse.From(done.Itinerary))),
            ItineraryChange.Invalid i => Problems.Invalid(i.Field, i.Message),
            var other => Problem(other),
        };
    }

    [Function("ReorderItineraryDay")]
    public async Task<Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem>> ReorderDay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Version + "/days/{dayId}/reorder")] HttpRequest req, Guid tripId, Guid versionId,
        Guid dayId, [JsonBody] ReorderItineraryDayRequest r, IfMatch ifMatch) =>
        ifMatch.CannotMatch ? Problems.PreconditionFailed()
            : Answer(req, await store.ReorderDayAsync(req.UserId(), tripId, versionId, dayId, ifMatch.Version, r.ItemIds!, req.HttpContext.RequestAborted));

    private static Created<T> Created<T>(HttpRequest req, string location, T body) where T : class
    {
        var revision = body switch { ItineraryResponse v => v.Revision, ItineraryItemCreated c => c.Itinerary.Revision, _ => 0 };
        req.HttpContext.Response.Headers.ETag = IfMatch.ETag(revision);
        return TypedResults.Created(location, body);
    }

    private static Results<Ok<ItineraryResponse>, ProblemHttpResult, ValidationProblem> Answer(HttpRequest req, ItineraryChange change)
    {
        switch (change)
        {
            case ItineraryChange.Done done:
                req.HttpContext.Response.Headers.ETag = IfMatch.ETag(done.Itinerary.Revision);
                return TypedResults.Ok(ItineraryResponse.From(done.Itinerary));
            case ItineraryChange.Invalid i: return Problems.Invalid(i.Field, i.Message);
            default: return Problem(change);
        }
    }

    /// <summary>The outcomes answered by a problem (Invalid is a ValidationProblem; Done is not a refusal). Nothing was written.</summary>
    private static ProblemHttpResult Problem(ItineraryChange change) => change switch
    {
        ItineraryChange.Forbidden => Problems.Forbidden("Only the trip's owner and editors can change its itineraries."),
        ItineraryChange.Stale => Problems.PreconditionFailed(),
        ItineraryChange.Conflict c => Problems.Conflict(c.Detail),
        ItineraryChange.NotFound n => Problems.NotFound(n.What),
        _ => throw new InvalidOperationException($"Not a problem outcome: {change}"),
    };

    /// <summary>A validated create body as the store takes it (also a planning job's result: PlanningAgentFunctions).</summary>
    internal static NewItinerary ToDocument(CreateItineraryRequest r) =>
        new(r.Title?.Trim(), r.GeneratedBy!.Value.ToText(), r.ModelVersion, r.Select ?? false,
            r.Days!.Select(d => new NewItineraryDay(d.DayNumber!.Value, d.Date!.Value, d.City?.Trim(), d.Title?.Trim(),
                (d.Items ?? []).Select(ToNew).ToList())).ToList());

    private static NewItineraryItem ToNew(IItineraryItemFields i) => new(
        i.ItemType!.Value.ToText(), i.Title!.Trim(), i.Description, i.StartTime, i.EndTime, i.DurationMinutes, i.CostPerPerson?.Amount,
        i.CostPerPerson?.Currency, i.BookingRequired ?? false, i.BookingId, i.AttractionId, (i.Status ?? ItineraryItemStatus.Planned).ToText(),
        i.AiReason, i.AiConfidence, i.UserRating);
}

/// <summary>GET /api/trips/{tripId}/itineraries: newest version first.</summary>
[InputConverter(typeof(QueryConverter<ItineraryListQuery>))]
public sealed record ItineraryListQuery(PageRequest<DateTimeOffset> Page) : IQueryRecord<ItineraryListQuery>
{
    public static ItineraryListQuery Read(QueryReader query) => new(query.Page<DateTimeOffset>());
}

public static class ItinerariesRegistration
{
    public static IServiceCollection AddItineraries(this IServiceCollection services) =>
        services.AddJsonContracts(ItinerariesJson.Default).AddSingleton<ItineraryStore>();
}

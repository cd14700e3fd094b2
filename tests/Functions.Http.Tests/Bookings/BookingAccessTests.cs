using System.Net;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>Not yours looks like not there (404); viewers read but cannot write (403); editors write.</summary>
public sealed class BookingAccessTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Reference() => new JsonObject { ["supplierReference"] = "PNR1" }.Json();

    private async Task<string> StateAsync(Guid bookingId) =>
        await api.ScalarAsync<string>(
            "SELECT status || '/' || coalesce(supplier_reference, '-') || '/' || updated_at::text FROM bookings WHERE id = @id", ("id", bookingId));

    [Fact]
    public async Task A_stranger_gets_404_on_every_endpoint_that_takes_an_id_and_nothing_changes()
    {
        var owner = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id);
        var booking = await owner.CreateBookingAsync(trip);
        var id = booking.Id();
        var code = booking["confirmationCode"]!.GetValue<string>();
        var before = await StateAsync(id);

        var unknownDetail = (await (await stranger.Client.GetAsync($"/api/bookings/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound))["detail"]!.GetValue<string>();
        foreach (var response in new[]
        {
            await stranger.Client.GetAsync($"/api/bookings/{id}"),
            await stranger.Client.GetAsync($"/api/bookings/by-code/{code}"),
            await stranger.Client.PostAsync($"/api/bookings/{id}/confirm", Reference()),
            await stranger.Client.PostAsync($"/api/bookings/{id}/cancel", null),
        })
            Assert.Equal(unknownDetail, (await response.ProblemAsync(HttpStatusCode.NotFound))["detail"]!.GetValue<string>());
        await (await stranger.Client.PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body().Json())).ProblemAsync(HttpStatusCode.NotFound);

        var list = await (await stranger.Client.GetAsync($"/api/bookings?tripId={trip}")).JsonAsync();
        Assert.Empty(list["items"]!.AsArray());
        Assert.Equal(before, await StateAsync(id));
        Assert.Equal(1, await api.BookingCountAsync(trip));
        Assert.Equal(850.50m, await api.SpentAsync(trip));
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_non_uuid_ids_are_400_naming_the_parameter()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync($"/api/bookings/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.PostAsync($"/api/bookings/{Guid.NewGuid()}/cancel", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.PostAsync($"/api/bookings/{Guid.NewGuid()}/confirm", Reference())).ProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync("/api/bookings/12345")).ValidationProblemAsync("bookingId");
        await (await user.Client.PostAsync("/api/bookings/12345/cancel", null)).ValidationProblemAsync("bookingId");
        await (await user.Client.PostAsync("/api/bookings/12345/confirm", Reference())).ValidationProblemAsync("bookingId");
    }

    [Fact]
    public async Task A_viewer_reads_but_gets_403_on_every_write_and_nothing_changes()
    {
        var owner = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id);
        await api.AddCollaboratorAsync(trip, viewer.Id, "viewer");
        var booking = await owner.CreateBookingAsync(trip);
        var id = booking.Id();
        var before = await StateAsync(id);

        await (await viewer.Client.GetAsync($"/api/bookings/{id}")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await viewer.Client.GetAsync($"/api/bookings/by-code/{booking["confirmationCode"]}")).EnsureStatusAsync(HttpStatusCode.OK);
        var list = await (await viewer.Client.GetAsync("/api/bookings")).JsonAsync();
        Assert.Equal(id, Assert.Single(list["items"]!.AsArray())!.Id());

        await (await viewer.Client.PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body().Json())).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Client.PostAsync($"/api/bookings/{id}/confirm", Reference())).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Client.PostAsync($"/api/bookings/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(before, await StateAsync(id));
        Assert.Equal(1, await api.BookingCountAsync(trip));
    }

    [Fact]
    public async Task An_invitation_not_yet_accepted_gives_no_access()
    {
        var owner = await api.NewUserAsync();
        var invitee = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id);
        await api.AddCollaboratorAsync(trip, invitee.Id, "editor", accepted: false);
        var booking = await owner.CreateBookingAsync(trip);
        await (await invitee.Client.GetAsync($"/api/bookings/{booking.Id()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await invitee.Client.PostAsync($"/api/trips/{trip}/bookings", BookingTestData.Body().Json())).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await invitee.Client.GetAsync("/api/bookings")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task An_editor_creates_confirms_and_cancels_on_the_owners_trip()
    {
        var owner = await api.NewUserAsync();
        var editor = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id);
        await api.AddCollaboratorAsync(trip, editor.Id, "editor");
        var booking = await editor.CreateBookingAsync(trip, BookingTestData.Body("hotel", total: 400m));
        await (await editor.Client.PostAsync($"/api/bookings/{booking.Id()}/confirm", Reference())).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(400m, await api.SpentAsync(trip));
        await (await editor.Client.PostAsync($"/api/bookings/{booking.Id()}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(0m, await api.SpentAsync(trip));
        // The owner sees what the editor did.
        var seen = await (await owner.Client.GetAsync($"/api/bookings/{booking.Id()}")).JsonAsync();
        Assert.Equal("cancelled", seen["status"]!.GetValue<string>());
        Assert.Equal(editor.Id, await api.ScalarAsync<Guid>("SELECT created_by FROM bookings WHERE id = @id", ("id", booking.Id())));
    }
}

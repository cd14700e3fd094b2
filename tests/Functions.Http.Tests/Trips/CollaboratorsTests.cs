using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Trips;

public sealed class CollaboratorsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Invite_accept_list_and_shared_trip_visibility()
    {
        var owner = await api.NewUserAsync("Olive");
        var friend = await api.NewUserAsync("Fern");
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();

        var invite = await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email.ToUpperInvariant(), role = "viewer" });
        await invite.EnsureStatusAsync(HttpStatusCode.Created);
        var pending = await invite.JsonAsync();
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.Null(pending["userId"]);
        Assert.Null(pending["firstName"]);

        // A pending invitee cannot read the trip yet, but can see the invitation.
        await (await friend.Client.GetAsync($"/api/trips/{tripId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await friend.Client.GetAsync($"/api/trips/{tripId}/collaborators")).EnsureStatusAsync(HttpStatusCode.OK);

        var accepted = await friend.Client.PostAsync($"/api/trips/{tripId}/collaborators/accept", null);
        await accepted.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("accepted", (await accepted.JsonAsync())["status"]!.GetValue<string>());

        var shared = await (await friend.Client.GetAsync($"/api/trips/{tripId}")).JsonAsync();
        Assert.Equal("viewer", shared["myRole"]!.GetValue<string>());
        var list = await (await friend.Client.GetAsync("/api/trips")).JsonAsync();
        Assert.Contains(list["items"]!.AsArray(), t => t!["id"]!.GetValue<Guid>() == tripId);
        var members = await (await owner.Client.GetAsync($"/api/trips/{tripId}/collaborators")).JsonAsync();
        Assert.Equal("Fern", members["items"]![0]!["firstName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Viewers_read_editors_write_only_the_owner_deletes_or_invites()
    {
        var owner = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var editor = await api.NewUserAsync();
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await owner.ShareAsync(tripId, viewer, "viewer");
        await owner.ShareAsync(tripId, editor, "editor");

        await (await viewer.Client.PatchAsJsonAsync($"/api/trips/{tripId}", new { title = "Viewer edit" })).ProblemAsync(HttpStatusCode.Forbidden);
        var edited = await editor.Client.PatchAsJsonAsync($"/api/trips/{tripId}", new { title = "Editor edit" });
        await edited.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Editor edit", (await edited.JsonAsync())["title"]!.GetValue<string>());

        await (await editor.Client.DeleteAsync($"/api/trips/{tripId}")).ProblemAsync(HttpStatusCode.Forbidden);
        var stranger = await api.NewUserAsync();
        await (await editor.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = stranger.Email, role = "viewer" }))
            .ProblemAsync(HttpStatusCode.Forbidden);
        await (await editor.Client.DeleteAsync($"/api/trips/{tripId}/collaborators/{viewer.Id}")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Collaborator_removes_themself_and_owner_removes_anyone()
    {
        var owner = await api.NewUserAsync();
        var a = await api.NewUserAsync();
        var b = await api.NewUserAsync();
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await owner.ShareAsync(tripId, a, "editor");
        await owner.ShareAsync(tripId, b, "viewer");

        await (await a.Client.DeleteAsync($"/api/trips/{tripId}/collaborators/{a.Id}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await a.Client.GetAsync($"/api/trips/{tripId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}/collaborators/{b.Id}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await b.Client.GetAsync($"/api/trips/{tripId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.DeleteAsync($"/api/trips/{tripId}/collaborators/{b.Id}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invite_errors_are_clear()
    {
        var owner = await api.NewUserAsync();
        var friend = await api.NewUserAsync();
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = owner.Email, role = "viewer" })).ValidationProblemAsync("email");
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email, role = "admin" })).ValidationProblemAsync("role");
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email, role = "viewer" })).EnsureStatusAsync(HttpStatusCode.Created);
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email, role = "editor" })).ProblemAsync(HttpStatusCode.Conflict);
        await (await friend.Client.PostAsync($"/api/trips/{Guid.NewGuid()}/collaborators/accept", null)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_invitation_answers_the_same_whether_or_not_the_email_has_an_account_and_shows_no_name()
    {
        var owner = await api.NewUserAsync();
        var friend = await api.NewUserAsync("Fern");
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();

        var toAccount = await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email, role = "viewer" });
        var toNobody = await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = nobody, role = "viewer" });
        await toAccount.EnsureStatusAsync(HttpStatusCode.Created);
        await toNobody.EnsureStatusAsync(HttpStatusCode.Created);
        string Shape(System.Text.Json.Nodes.JsonNode body)
        {
            var o = body.AsObject();
            o.Remove("email");
            o.Remove("invitedAt");
            return o.ToJsonString();
        }
        Assert.Equal(Shape(await toAccount.JsonAsync()), Shape(await toNobody.JsonAsync()));
        Assert.Equal(toAccount.Headers.Location, toNobody.Headers.Location);
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = friend.Email, role = "editor" })).ProblemAsync(HttpStatusCode.Conflict);
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email = nobody, role = "editor" })).ProblemAsync(HttpStatusCode.Conflict);

        // Listed alike: the email the owner typed, no id, no name, until the invitee accepts.
        var members = (await (await owner.Client.GetAsync($"/api/trips/{tripId}/collaborators")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(2, members.Count);
        Assert.All(members, m =>
        {
            Assert.Null(m!["userId"]);
            Assert.Null(m["firstName"]);
            Assert.Null(m["lastName"]);
            Assert.Equal("pending", m["status"]!.GetValue<string>());
        });
        Assert.DoesNotContain("Fern", members.ToJsonString());

        await (await friend.Client.PostAsync($"/api/trips/{tripId}/collaborators/accept", null)).EnsureStatusAsync(HttpStatusCode.OK);
        members = (await (await owner.Client.GetAsync($"/api/trips/{tripId}/collaborators")).JsonAsync())["items"]!.AsArray();
        Assert.Contains(members, m => m!["firstName"]?.GetValue<string>() == "Fern" && m["userId"]!.GetValue<Guid>() == friend.Id);
    }

    [Fact]
    public async Task An_invitation_to_an_address_without_account_applies_when_it_registers()
    {
        var owner = await api.NewUserAsync();
        var email = $"Later-{Guid.NewGuid():N}@Example.test";
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email, role = "editor" })).EnsureStatusAsync(HttpStatusCode.Created);

        var newcomer = await api.NewUserAsync("Nina", email.ToLowerInvariant());
        await (await newcomer.Client.GetAsync($"/api/trips/{tripId}")).ProblemAsync(HttpStatusCode.NotFound); // pending, not yet accepted
        var accepted = await newcomer.Client.PostAsync($"/api/trips/{tripId}/collaborators/accept", null);
        await accepted.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("editor", (await accepted.JsonAsync())["role"]!.GetValue<string>());
        Assert.Equal("editor", (await (await newcomer.Client.GetAsync($"/api/trips/{tripId}")).JsonAsync())["myRole"]!.GetValue<string>());
        Assert.Equal(0L, await TravelFunctions.Tests.AgentAuth.FeedsTestSupport.AdminScalarAsync<long>(api, "SELECT count(*) FROM trip_invitations WHERE trip_id = @tripId", new { tripId }));
    }

    [Fact]
    public async Task The_owner_withdraws_either_kind_of_pending_invitation_by_email()
    {
        var owner = await api.NewUserAsync();
        var friend = await api.NewUserAsync();
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        foreach (var email in new[] { friend.Email, nobody })
            await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators", new { email, role = "viewer" })).EnsureStatusAsync(HttpStatusCode.Created);

        await (await friend.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators/withdraw", new { email = nobody })).ProblemAsync(HttpStatusCode.NotFound);
        foreach (var email in new[] { friend.Email.ToUpperInvariant(), nobody })
            await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators/withdraw", new { email })).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/collaborators/withdraw", new { email = nobody })).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await owner.Client.GetAsync($"/api/trips/{tripId}/collaborators")).JsonAsync())["items"]!.AsArray());
        await (await friend.Client.PostAsync($"/api/trips/{tripId}/collaborators/accept", null)).ProblemAsync(HttpStatusCode.NotFound);
    }
}

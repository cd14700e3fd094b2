using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Itineraries;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Planning;

/// <summary>
/// AI planning jobs through the real API, PgBouncer and row-level security: travellers queue and poll, planning agents
/// claim (SKIP LOCKED), heartbeat, complete (a new itinerary version in the same transaction) or fail (backoff, then
/// failed for good); expired leases go back to the queue; feedback on itineraries reaches the agent that made them.
/// </summary>
public sealed class PlanningJobsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Scope = "agents:planning";

    private static async Task<JsonNode> QueueAsync(TestUser user, Guid trip, string? notes = "Slow mornings, lots of food", string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/planning-jobs") { Content = JsonContent.Create(new { notes }) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await user.Client.SendAsync(request);
        await response.EnsureStatusAsync(HttpStatusCode.Accepted);
        return await response.JsonAsync();
    }

    private static Task<HttpResponseMessage> ClaimAsync(TestAgent agent, int? leaseSeconds = null) =>
        agent.Client.PostAsJsonAsync("/api/agents/planning-jobs/claim", new { leaseSeconds });

    private static async Task<JsonNode> ClaimOneAsync(TestAgent agent, int? leaseSeconds = null)
    {
        var response = await ClaimAsync(agent, leaseSeconds);
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    private static Task<HttpResponseMessage> CompleteAsync(TestAgent agent, JsonNode claimed, JsonObject? itinerary = null, Guid? token = null) =>
        agent.Client.PostAsync($"/api/agents/planning-jobs/{claimed.Id()}/complete", ItineraryTestData.Json(new JsonObject
        {
            ["leaseToken"] = (token ?? claimed["leaseToken"]!.GetValue<Guid>()).ToString(),
            ["itinerary"] = itinerary ?? ItineraryTestData.Document(generatedBy: "manual"),
            ["modelVersion"] = "planner-2027.2", ["inputTokens"] = 1200, ["outputTokens"] = 3400,
        }));

    private static Task<HttpResponseMessage> FailAsync(TestAgent agent, JsonNode claimed, bool? retry = null) =>
        agent.Client.PostAsJsonAsync($"/api/agents/planning-jobs/{claimed.Id()}/fail",
            new { leaseToken = claimed["leaseToken"]!.GetValue<Guid>(), error = "model timed out", retry });

    /// <summary>Nothing else is due in this fixture's database while a test runs: each test drains what it queued.</summary>
    private async Task DrainAsync() => await api.AdminExecAsync("UPDATE planning_jobs SET status = 'failed', lease_token = NULL WHERE status IN ('queued', 'running')");

    [Fact]
    public async Task A_traveller_queues_an_agent_completes_and_the_result_is_a_new_ai_version_once()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        await Bookings.BookingTestData.AddCollaboratorAsync(api, trip, viewer.Id, "viewer");
        await (await owner.Client.PutAsJsonAsync($"/api/trips/{trip}/preferences",
            new { pace = "relaxed", interests = new[] { new { category = "food_drink", priority = 9 } } })).EnsureStatusAsync(HttpStatusCode.OK);

        var job = await QueueAsync(owner, trip, key: "plan-1");
        Assert.Equal("queued", job["status"]!.GetValue<string>());
        Assert.Equal(trip, job["input"]!["trip"]!["id"]!.GetValue<Guid>());
        Assert.Equal("2027-05-01", job["input"]!["trip"]!["startDate"]!.GetValue<string>());
        Assert.Equal("Slow mornings, lots of food", job["input"]!["notes"]!.GetValue<string>());
        // The same key and request: the same job; the same key with another request: 422, nothing queued.
        Assert.Equal(job.Id(), (await QueueAsync(owner, trip, key: "plan-1")).Id());
        var reused = new HttpRequestMessage(HttpMethod.Post, $"/api/trips/{trip}/planning-jobs") { Content = JsonContent.Create(new { notes = "other" }) };
        reused.Headers.Add("Idempotency-Key", "plan-1");
        await (await owner.Client.SendAsync(reused)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await viewer.Client.PostAsJsonAsync($"/api/trips/{trip}/planning-jobs", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await stranger.Client.PostAsJsonAsync($"/api/trips/{trip}/planning-jobs", new { })).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM planning_jobs WHERE trip_id = @trip", new { trip }));
        // Members poll; others get 404.
        Assert.Equal("queued", (await (await viewer.Client.GetAsync($"/api/trips/{trip}/planning-jobs/{job.Id()}")).JsonAsync())["status"]!.GetValue<string>());
        await (await stranger.Client.GetAsync($"/api/trips/{trip}/planning-jobs/{job.Id()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client.GetAsync($"/api/trips/{trip}/planning-jobs")).ProblemAsync(HttpStatusCode.NotFound);

        var agent = await api.NewAgentAsync(Scope);
        var claimed = await ClaimOneAsync(agent);
        Assert.Equal(job.Id(), claimed.Id());
        Assert.Equal(1, claimed["attempt"]!.GetValue<int>());
        Assert.Equal("relaxed", claimed["input"]!["preferences"]!["pace"]!.GetValue<string>());
        Assert.Equal("food_drink", claimed["input"]!["preferences"]!["interests"]![0]!["category"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await ClaimAsync(agent)).StatusCode);

        // Heartbeat: the holder with its token only.
        await (await agent.Client.PostAsJsonAsync($"/api/agents/planning-jobs/{job.Id()}/heartbeat",
            new { leaseToken = claimed["leaseToken"]!.GetValue<Guid>(), leaseSeconds = 600 })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await agent.Client.PostAsJsonAsync($"/api/agents/planning-jobs/{job.Id()}/heartbeat",
            new { leaseToken = Guid.NewGuid() })).ProblemAsync(HttpStatusCode.Conflict);
        await (await agent.Client.PostAsJsonAsync($"/api/agents/planning-jobs/{Guid.NewGuid()}/heartbeat",
            new { leaseToken = Guid.NewGuid() })).ProblemAsync(HttpStatusCode.NotFound);
        var otherAgent = await api.NewAgentAsync(Scope);
        await (await CompleteAsync(otherAgent, claimed)).ProblemAsync(HttpStatusCode.Conflict);

        var completed = await CompleteAsync(agent, claimed);
        await completed.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await completed.JsonAsync();
        var versionId = body["resultVersionId"]!.GetValue<Guid>();
        Assert.Equal("ai", body["itinerary"]!["generatedBy"]!.GetValue<string>());
        Assert.Equal("planner-2027.2", body["itinerary"]!["modelVersion"]!.GetValue<string>());
        Assert.Equal(owner.Id, body["itinerary"]!["createdBy"]!.GetValue<Guid>());

        // Completing again: the same version, never a second one.
        var again = await (await CompleteAsync(agent, claimed)).JsonAsync();
        Assert.Equal(versionId, again["resultVersionId"]!.GetValue<Guid>());
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));

        var polled = await (await owner.Client.GetAsync($"/api/trips/{trip}/planning-jobs/{job.Id()}")).JsonAsync();
        Assert.Equal("completed", polled["status"]!.GetValue<string>());
        Assert.Equal(versionId, polled["resultVersionId"]!.GetValue<Guid>());
        Assert.Equal(1200, polled["inputTokens"]!.GetValue<int>());
        Assert.Equal(3400, polled["outputTokens"]!.GetValue<int>());
        Assert.Equal("planner-2027.2", polled["modelVersion"]!.GetValue<string>());
        var list = await (await viewer.Client.GetAsync($"/api/trips/{trip}/planning-jobs")).JsonAsync();
        Assert.Equal(job.Id(), list["items"]![0]!.Id());
        // A late heartbeat or failure of a completed job is refused.
        await (await FailAsync(agent, claimed)).ProblemAsync(HttpStatusCode.Conflict);
        // The trip's members heard of it once (the replayed completion notified no one again); others did not.
        foreach (var (member, expected) in new[] { (owner, 1L), (viewer, 1L), (stranger, 0L) })
            Assert.Equal(expected, await api.AdminScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = 'planning.completed' AND trip_id = @trip", new { u = member.Id, trip }));
    }

    [Fact]
    public async Task A_result_that_is_not_a_valid_itinerary_is_400_writes_nothing_and_leaves_the_job_held()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        await QueueAsync(owner, trip);
        var agent = await api.NewAgentAsync(Scope);
        var claimed = await ClaimOneAsync(agent);

        var outside = ItineraryTestData.Document();
        outside["days"]![0]!["date"] = "2030-01-01";
        await (await CompleteAsync(agent, claimed, outside)).ValidationProblemAsync("itinerary.days[0].date");
        var empty = new JsonObject { ["title"] = "x", ["days"] = new JsonArray() };
        await (await CompleteAsync(agent, claimed, empty)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));
        Assert.Equal("running", await api.AdminScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @id", new { id = claimed.Id() }));

        await (await CompleteAsync(agent, claimed)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));
    }

    [Fact]
    public async Task A_failed_job_is_retried_with_exponential_backoff_and_stays_failed_after_the_last_attempt()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        var job = await QueueAsync(owner, trip);
        var agent = await api.NewAgentAsync(Scope);

        foreach (var (attempt, wait) in new[] { (1, 30), (2, 60) })
        {
            var claimed = await ClaimOneAsync(agent);
            Assert.Equal(attempt, claimed["attempt"]!.GetValue<int>());
            var failed = await (await FailAsync(agent, claimed)).JsonAsync();
            Assert.Equal("queued", failed["status"]!.GetValue<string>());
            // Backoff measured against the failing transaction's own clock.
            Assert.Equal(wait, await api.AdminScalarAsync<int>(
                "SELECT extract(epoch FROM available_at - updated_at)::int FROM planning_jobs WHERE id = @id", new { id = job.Id() }));
            // Not due yet: nothing to claim until the backoff has passed (moved here instead of waiting).
            Assert.Equal(HttpStatusCode.NoContent, (await ClaimAsync(agent)).StatusCode);
            await api.AdminExecAsync("UPDATE planning_jobs SET available_at = now() WHERE id = @id", new { id = job.Id() });
        }
        var last = await ClaimOneAsync(agent);
        Assert.Equal(3, last["attempt"]!.GetValue<int>());
        var final = await (await FailAsync(agent, last)).JsonAsync();
        Assert.Equal("failed", final["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await ClaimAsync(agent)).StatusCode);
        var polled = await (await owner.Client.GetAsync($"/api/trips/{trip}/planning-jobs/{job.Id()}")).JsonAsync();
        Assert.Equal("failed", polled["status"]!.GetValue<string>());
        Assert.Equal("model timed out", polled["lastError"]!.GetValue<string>());
        // Only the final failure is announced, once.
        Assert.Equal(1L, await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = 'planning.failed' AND trip_id = @trip", new { u = owner.Id, trip }));

        // retry false: failed for good at once.
        var second = await QueueAsync(owner, trip);
        var claimedSecond = await ClaimOneAsync(agent);
        Assert.Equal(second.Id(), claimedSecond.Id());
        Assert.Equal("failed", (await (await FailAsync(agent, claimedSecond, retry: false)).JsonAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Eight_agents_claiming_in_parallel_never_hold_the_same_job()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        const int jobs = 24;
        var queued = new HashSet<Guid>();
        for (var i = 0; i < jobs; i++) queued.Add((await QueueAsync(owner, trip, notes: $"job {i}")).Id());
        var agents = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.NewAgentAsync(Scope)));

        // Every agent claims until the queue is empty, all at once over real connections.
        var claims = await Task.WhenAll(agents.Select(async agent =>
        {
            var mine = new List<Guid>();
            while (true)
            {
                var response = await ClaimAsync(agent);
                if (response.StatusCode == HttpStatusCode.NoContent) return mine;
                await response.EnsureStatusAsync(HttpStatusCode.OK);
                mine.Add((await response.JsonAsync()).Id());
            }
        }));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(jobs, all.Count);
        Assert.Equal(queued, all.ToHashSet());
        // The database agrees: each job running under exactly the agent that got it.
        for (var a = 0; a < agents.Length; a++)
            foreach (var id in claims[a])
                Assert.Equal(agents[a].ClientId, await api.AdminScalarAsync<Guid>("SELECT agent_client_id FROM planning_jobs WHERE id = @id", new { id }));
        Assert.Equal(jobs, await api.AdminScalarAsync<long>("SELECT count(*) FROM planning_jobs WHERE trip_id = @trip AND status = 'running' AND attempts = 1", new { trip }));
    }

    [Fact]
    public async Task An_expired_lease_goes_back_to_the_queue_a_second_agent_completes_and_the_first_is_refused()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        var job = await QueueAsync(owner, trip);
        var crashed = await api.NewAgentAsync(Scope);
        var second = await api.NewAgentAsync(Scope);
        var first = await ClaimOneAsync(crashed, leaseSeconds: 30);

        // The PlanningLeases job's call, at a time after the lease ended (the job passes its clock).
        Assert.Equal(0, await api.AdminScalarAsync<int>("SELECT app.expire_planning_leases(now(), 100)"));
        Assert.Equal(1, await api.AdminScalarAsync<int>("SELECT app.expire_planning_leases(now() + interval '31 seconds', 100)"));
        var polled = await (await owner.Client.GetAsync($"/api/trips/{trip}/planning-jobs/{job.Id()}")).JsonAsync();
        Assert.Equal("queued", polled["status"]!.GetValue<string>());

        var again = await ClaimOneAsync(second);
        Assert.Equal(job.Id(), again.Id());
        Assert.Equal(2, again["attempt"]!.GetValue<int>());
        await (await CompleteAsync(crashed, first)).ProblemAsync(HttpStatusCode.Conflict);
        await (await crashed.Client.PostAsJsonAsync($"/api/agents/planning-jobs/{job.Id()}/heartbeat",
            new { leaseToken = first["leaseToken"]!.GetValue<Guid>() })).ProblemAsync(HttpStatusCode.Conflict);
        await (await CompleteAsync(second, again)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await CompleteAsync(crashed, first)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip }));

        // A job whose last attempt's lease ends is failed, not requeued.
        var exhausted = await QueueAsync(owner, trip);
        await api.AdminExecAsync("UPDATE planning_jobs SET max_attempts = 1 WHERE id = @id", new { id = exhausted.Id() });
        await ClaimOneAsync(crashed, leaseSeconds: 30);
        Assert.Equal(1, await api.AdminScalarAsync<int>("SELECT app.expire_planning_leases(now() + interval '31 seconds', 100)"));
        Assert.Equal("failed", await api.AdminScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @id", new { id = exhausted.Id() }));
    }

    [Fact]
    public async Task Completions_racing_with_the_lease_requeue_make_at_most_one_version()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        await QueueAsync(owner, trip);
        var agent = await api.NewAgentAsync(Scope);
        var claimed = await ClaimOneAsync(agent, leaseSeconds: 30);
        // Three completions with the same lease and the timer job's requeue, all at once.
        var completions = Enumerable.Range(0, 3).Select(_ => CompleteAsync(agent, claimed)).ToList();
        var requeue = api.AdminScalarAsync<int>("SELECT app.expire_planning_leases(now() + interval '31 seconds', 100)");
        var statuses = (await Task.WhenAll(completions)).Select(r => r.StatusCode).ToList();
        var requeued = await requeue;
        var versions = await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_versions WHERE trip_id = @trip", new { trip });
        var status = await api.AdminScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @id", new { id = claimed.Id() });
        if (requeued == 1 && versions == 0)
        {
            Assert.Equal("queued", status);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Conflict, s));
        }
        else
        {
            Assert.Equal(1L, versions);
            Assert.Equal("completed", status);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        }
    }

    [Fact]
    public async Task Travellers_give_feedback_and_the_agent_that_made_the_itinerary_reads_it()
    {
        await DrainAsync();
        var owner = await api.NewUserAsync();
        var viewer = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = (await owner.CreateTripAsync()).Id();
        await Bookings.BookingTestData.AddCollaboratorAsync(api, trip, viewer.Id, "viewer");
        var job = await QueueAsync(owner, trip);
        var agent = await api.NewAgentAsync(Scope);
        var other = await api.NewAgentAsync(Scope);
        var claimed = await ClaimOneAsync(agent);
        var version = (await (await CompleteAsync(agent, claimed)).JsonAsync())["itinerary"]!;
        var feedback = $"/api/trips/{trip}/itineraries/{version.Id()}/feedback";
        var itemId = version["days"]![0]!["items"]![0]!.Id();

        await (await owner.Client.PostAsJsonAsync(feedback, new { type = "rating", rating = 4 })).EnsureStatusAsync(HttpStatusCode.Created);
        await (await viewer.Client.PostAsJsonAsync(feedback, new { itemId, type = "correction", comment = "Closed on Mondays" })).EnsureStatusAsync(HttpStatusCode.Created);
        await (await stranger.Client.PostAsJsonAsync(feedback, new { type = "rating", rating = 1 })).ProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client.PostAsJsonAsync(feedback, new { type = "rating", rating = 6 })).ValidationProblemAsync("rating");
        await (await owner.Client.PostAsJsonAsync(feedback, new { type = "suggestion" })).ValidationProblemAsync("comment");
        await (await owner.Client.PostAsJsonAsync(feedback, new { itemId = Guid.NewGuid(), type = "rating", rating = 3 })).ValidationProblemAsync("itemId");
        Assert.Equal(2L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_feedback WHERE trip_id = @trip", new { trip }));

        var listed = await (await viewer.Client.GetAsync(feedback)).JsonAsync();
        Assert.Equal(2, listed["items"]!.AsArray().Count);
        var seen = await (await agent.Client.GetAsync("/api/agents/planning-jobs/feedback")).JsonAsync();
        Assert.Equal(["rating", "correction"], seen["items"]!.AsArray().Select(f => f!["type"]!.GetValue<string>()));
        Assert.All(seen["items"]!.AsArray(), f => Assert.Equal(job.Id(), f!["jobId"]!.GetValue<Guid>()));
        Assert.Equal(itemId, seen["items"]![1]!["itemId"]!.GetValue<Guid>());
        Assert.Null(seen["items"]![0]!["userId"]);
        Assert.Empty((await (await other.Client.GetAsync("/api/agents/planning-jobs/feedback")).JsonAsync())["items"]!.AsArray());
        // A traveller's token on an agent endpoint is 401 (docs/agents.md); an agent without agents:planning 403.
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Client.GetAsync("/api/agents/planning-jobs/feedback")).StatusCode);
        var chat = await api.NewAgentAsync("agents:chat");
        Assert.Equal(HttpStatusCode.Forbidden, (await ClaimAsync(chat)).StatusCode);

        // GDPR: the export lists the user's jobs and feedback; the purge takes them (FK cascade).
        var export = await (await viewer.Client.GetAsync("/api/users/me/export")).JsonAsync();
        Assert.Equal("Closed on Mondays", export["itineraryFeedback"]!.AsArray().Single()!["comment"]!.GetValue<string>());
        Assert.Empty(export["planningJobs"]!.AsArray());
        var ownerExport = await (await owner.Client.GetAsync("/api/users/me/export")).JsonAsync();
        Assert.Equal(job.Id(), ownerExport["planningJobs"]!.AsArray().Single()!.Id());
        Assert.Null(ownerExport["planningJobs"]![0]!["lease_token"]);
        await api.AdminExecAsync("DELETE FROM users WHERE id = @id", new { id = viewer.Id });
        Assert.Equal(1L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_feedback WHERE trip_id = @trip", new { trip }));
        await api.AdminExecAsync("DELETE FROM users WHERE id = @id", new { id = owner.Id });
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM itinerary_feedback WHERE trip_id = @trip", new { trip }));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM planning_jobs WHERE trip_id = @trip", new { trip }));
    }
}

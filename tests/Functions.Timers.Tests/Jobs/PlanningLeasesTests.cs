using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>
/// PlanningLeases (travel_maintenance, 0023): a planning job whose lease ended by the job's clock goes back to the queue
/// and another agent claims it; the crashed agent's lease token no longer completes it; a job on its last attempt fails.
/// </summary>
public sealed class PlanningLeasesTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private static Task<Guid> AgentAsync(NpgsqlConnection admin) =>
        admin.ExecuteScalarAsync<Guid>("""
            INSERT INTO agent_clients (name, secret_sha256, scopes)
            VALUES ('planner-' || substr(md5(random()::text), 1, 10), sha256('not a secret'::bytea), ARRAY['agents:planning'])
            RETURNING client_id
            """);

    private static Task<Guid> JobAsync(NpgsqlConnection admin, Guid trip, Guid user, int maxAttempts) =>
        admin.ExecuteScalarAsync<Guid>("""
            INSERT INTO planning_jobs (trip_id, requested_by, input, max_attempts, created_at)
            VALUES (@trip, @user, '{"notes": null}', @maxAttempts, clock_timestamp())
            RETURNING id
            """, new { trip, user, maxAttempts });

    private static Task<(Guid Id, Guid LeaseToken, int Attempt)> ClaimAsync(NpgsqlConnection admin, Guid agent, int leaseSeconds = 60) =>
        admin.QuerySingleAsync<(Guid, Guid, int)>("SELECT id, lease_token, attempt FROM app.claim_planning_job(@agent, make_interval(secs => @leaseSeconds))",
            new { agent, leaseSeconds });

    [Fact]
    public async Task An_expired_lease_is_requeued_for_another_agent_and_an_exhausted_job_fails()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var user = await Seed.UserAsync(admin);
        var trip = await Seed.TripAsync(admin, user);
        var crashed = await AgentAsync(admin);
        var second = await AgentAsync(admin);
        var retried = await JobAsync(admin, trip, user, maxAttempts: 3);
        var lastAttempt = await JobAsync(admin, trip, user, maxAttempts: 1);
        var first = await ClaimAsync(admin, crashed);
        var other = await ClaimAsync(admin, crashed);
        Assert.Equal([retried, lastAttempt], new[] { first.Id, other.Id });

        // The clock no later than now: both leases still run.
        if (fx.Clock.GetUtcNow() < DateTimeOffset.UtcNow) fx.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        var run = await fx.RunAsync("PlanningLeases");
        Assert.True(run.Succeeded);
        Assert.Equal(2L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM planning_jobs WHERE status = 'running'"));

        // Past the leases' end: one requeued, the one on its last attempt failed.
        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True((await fx.RunAsync("PlanningLeases")).Succeeded);
        Assert.Equal("queued", await admin.ExecuteScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @retried", new { retried }));
        Assert.Equal("failed", await admin.ExecuteScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @lastAttempt", new { lastAttempt }));
        Assert.Contains("expired", await admin.ExecuteScalarAsync<string>("SELECT last_error FROM planning_jobs WHERE id = @lastAttempt", new { lastAttempt }));
        // The trip's owner hears that it failed for good (not of the requeued one).
        Assert.Equal(1L, await admin.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @user AND kind = 'planning.failed' AND trip_id = @trip", new { user, trip }));

        // A lease long enough to outlast the job's clock, which now runs two minutes ahead.
        var again = await ClaimAsync(admin, second, leaseSeconds: 600);
        Assert.Equal((retried, 2), (again.Id, again.Attempt));
        Assert.Equal("not_held", await admin.ExecuteScalarAsync<string>(
            "SELECT outcome FROM app.begin_planning_completion(@retried, @crashed, @token)", new { retried, crashed, token = first.LeaseToken }));
        Assert.Equal("held", await admin.ExecuteScalarAsync<string>(
            "SELECT outcome FROM app.begin_planning_completion(@retried, @second, @token)", new { retried, second, token = again.LeaseToken }));
        // A lease that has not ended stays with its holder.
        Assert.True((await fx.RunAsync("PlanningLeases")).Succeeded);
        Assert.Equal("running", await admin.ExecuteScalarAsync<string>("SELECT status FROM planning_jobs WHERE id = @retried", new { retried }));
    }
}

using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Reliability;

/// <summary>The app pointed at a pooled endpoint where nothing listens: every data call is a clear 503.</summary>
public sealed class UnreachableDatabaseFixture : ApiFixture
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        // Port 9 (discard) on loopback: connection refused at once, like a database that is down.
        ["TravelDb"] = "Host=127.0.0.1;Port=9;Database=travel;Username=travel_app;Password=x;Timeout=2",
    };
}

public sealed class UnreachableDatabaseTests(UnreachableDatabaseFixture api) : IClassFixture<UnreachableDatabaseFixture>
{
    [Fact]
    public async Task Requests_get_503_with_retry_after_and_health_says_unhealthy()
    {
        var register = await api.Anonymous().PostAsJsonAsync("/api/users", new { email = "down@example.test", password = "long-enough-pw", firstName = "D", lastName = "B" });
        var problem = await register.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("database", problem["detail"]!.GetValue<string>());
        Assert.True(register.Headers.RetryAfter is not null);

        var health = await api.Anonymous().GetAsync("/api/health");
        await health.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", (await health.JsonAsync())["status"]!.GetValue<string>());
    }
}

public sealed class DroppedConnectionTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Server_connections_killed_between_requests_are_retried_transparently()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync("/api/users/me")).EnsureStatusAsync(HttpStatusCode.OK);

        // Like Neon suspending a compute: every server connection of this database is terminated (57P01).
        await using (var admin = new NpgsqlConnection(api.Database.Admin.Replace($"Database={api.Database.Name}", "Database=postgres")))
            await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()",
                new { db = api.Database.Name });

        for (var i = 0; i < 5; i++)
            await (await user.Client.GetAsync("/api/users/me")).EnsureStatusAsync(HttpStatusCode.OK);
        var created = await user.Client.PostAsJsonAsync("/api/trips", Trips.TripTestData.NewTrip());
        await created.EnsureStatusAsync(HttpStatusCode.Created);
    }
}

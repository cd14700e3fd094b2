using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

public sealed class PlatformTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Health_checks_the_database()
    {
        var response = await api.Anonymous().GetAsync("/api/health");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.Equal("ok", body["database"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_document_lists_the_contract_and_the_docs_ui_is_served()
    {
        var doc = await api.Anonymous().GetAsync("/api/openapi/v1.json");
        await doc.EnsureStatusAsync(HttpStatusCode.OK);
        var paths = (await doc.JsonAsync())["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/users", "/api/auth/token", "/api/auth/refresh", "/api/users/me", "/api/users/me/export",
                     "/api/trips", "/api/trips/stats", "/api/trips/{tripId}", "/api/trips/{tripId}/collaborators",
                     "/api/trips/{tripId}/bookings", "/api/bookings", "/api/bookings/{bookingId}", "/api/health" })
            Assert.Contains(path, paths);

        var ui = await api.Anonymous().GetAsync("/api/docs/index.html");
        await ui.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_with_problem_details()
    {
        await (await api.Anonymous().GetAsync("/api/nowhere")).ProblemAsync(HttpStatusCode.NotFound);
        await (await api.Anonymous().PutAsJsonAsync("/api/health", new { })).ProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("/api/trips?limit=ten", "limit")]
    [InlineData("/api/trips?limit=0", "limit")]
    [InlineData("/api/trips?from=2027-13-45", "from")]
    [InlineData("/api/trips?to=soon", "to")]
    [InlineData("/api/conversations?tripId=abc", "tripId")]
    [InlineData("/api/conversations?limit=1.5", "limit")]
    [InlineData("/api/conversations/6f1c2a8e-0000-4000-8000-000000000001/messages?limit=many", "limit")]
    [InlineData("/api/bookings?tripId=abc", "tripId")]
    [InlineData("/api/bookings?limit=101", "limit")]
    public async Task Malformed_optional_query_values_are_400_naming_the_parameter(string url, string field)
    {
        var user = await api.NewUserAsync();
        await (await user.Client.GetAsync(url)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Wrong_content_type_is_a_clear_4xx()
    {
        var user = await api.NewUserAsync();
        var response = await user.Client.PostAsync("/api/trips", new StringContent("title=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}

public sealed class TightRateLimitFixture : ApiFixture
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Auth__PermitsPerMinute"] = "3" };
}

public sealed class RateLimitTests(TightRateLimitFixture api) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task Credential_endpoints_are_rate_limited_per_client_address()
    {
        // Two client addresses (the host appends each connection's address to X-Forwarded-For); a header the client
        // writes itself does not make it someone else.
        var client = api.FromAddress("127.0.0.2");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        for (var i = 0; i < 3; i++)
            await (await client.PostAsJsonAsync("/api/auth/token", new { email = "x@example.test", password = "wrong-password" })).ProblemAsync(HttpStatusCode.Unauthorized);
        var limited = await client.PostAsJsonAsync("/api/auth/token", new { email = "x@example.test", password = "wrong-password" });
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);

        var rotated = api.FromAddress("127.0.0.2");
        rotated.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.9");
        await (await rotated.PostAsJsonAsync("/api/auth/token", new { email = "x@example.test", password = "wrong-password" })).ProblemAsync(HttpStatusCode.TooManyRequests);

        // Another address is not affected.
        var other = api.FromAddress("127.0.0.3");
        await (await other.PostAsJsonAsync("/api/auth/token", new { email = "x@example.test", password = "wrong-password" })).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}

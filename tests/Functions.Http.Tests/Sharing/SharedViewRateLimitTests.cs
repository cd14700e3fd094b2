using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Platform;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Sharing;

/// <summary>The anonymous shared view is rate limited per client address, in a window of its own (3 a minute here).</summary>
public sealed class SharedViewRateLimitTests(TightRateLimitFixture api) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task The_shared_view_is_limited_per_address_apart_from_the_login_allowance()
    {
        var owner = await api.NewUserAsync();
        var tripId = (await owner.CreateTripAsync())["id"]!.GetValue<Guid>();
        var link = await (await owner.Client.PostAsJsonAsync($"/api/trips/{tripId}/share-links", new { })).JsonAsync();
        var path = $"/api/shared/{link["token"]}";

        var client = api.FromAddress("127.0.0.97");
        for (var i = 0; i < 3; i++) await (await client.GetAsync(path)).EnsureStatusAsync(HttpStatusCode.OK);
        var limited = await client.GetAsync(path);
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        // Another address reads on; and this one still has its whole login allowance.
        await (await api.FromAddress("127.0.0.98").GetAsync(path)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync("/api/auth/token", new { email = owner.Email, password = owner.Password })).EnsureStatusAsync(HttpStatusCode.OK);
    }
}

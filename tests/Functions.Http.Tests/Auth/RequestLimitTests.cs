using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Primitives;
using TravelFunctions.Http.Auth;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Platform;
using Xunit;

namespace TravelFunctions.Tests.Auth;

/// <summary>Issue 13, item 1: limits keyed on the real client, held across instances; small bodies on the credential functions.</summary>
public sealed class RequestLimitTests(TightRateLimitFixture api) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task The_address_limit_holds_across_instances()
    {
        await using var second = await api.StartInstanceAsync();
        var viaFirst = api.FromAddress("127.0.0.61");
        var viaSecond = api.FromAddress("127.0.0.61", second);
        object Guess() => new { email = "x@example.test", password = "wrong-password" };

        await (await viaFirst.PostAsJsonAsync("/api/auth/token", Guess())).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await viaSecond.PostAsJsonAsync("/api/auth/token", Guess())).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await viaFirst.PostAsJsonAsync("/api/auth/token", Guess())).ProblemAsync(HttpStatusCode.Unauthorized);
        // The fourth request from the address, whichever instance serves it, is over the limit of 3.
        var limited = await viaSecond.PostAsJsonAsync("/api/auth/token", Guess());
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        await (await viaFirst.PostAsJsonAsync("/api/users", new { })).ProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("/api/auth/token")]
    [InlineData("/api/auth/refresh")]
    [InlineData("/api/auth/agent-token")]
    [InlineData("/api/users")]
    public async Task A_large_body_is_refused_with_413_before_it_is_read(string path)
    {
        // Each case from its own address: the 3-per-minute limit is not what answers.
        var client = api.FromAddress($"127.0.0.{70 + path.Length % 20}");
        var declared = new StringContent("{\"email\":\"x@example.test\",\"password\":\"" + new string('p', 28 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json");
        var body = await (await client.PostAsync(path, declared)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("4096 bytes", body["detail"]!.GetValue<string>());

        // Without a Content-Length (chunked), the server stops reading at the limit.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"refreshToken\":\"" + new string('r', 64 * 1024) + "\"}")));
        chunked.Headers.ContentType = new("application/json");
        await (await client.PostAsync(path, chunked)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData(0, "203.0.113.7, 198.51.100.1", "127.0.0.9")]
    [InlineData(1, "203.0.113.7, 198.51.100.1", "198.51.100.1")]
    [InlineData(2, "203.0.113.7, 198.51.100.1", "203.0.113.7")]
    [InlineData(1, "203.0.113.7, 198.51.100.1:4431", "198.51.100.1")]
    [InlineData(1, "[2001:db8::1]:443", "2001:db8::1")]
    [InlineData(3, "203.0.113.7, 198.51.100.1", "127.0.0.9")]
    [InlineData(1, "", "127.0.0.9")]
    public void The_client_is_the_entry_the_outermost_trusted_proxy_appended(int hops, string forwardedFor, string expected) =>
        Assert.Equal(expected, ClientAddress.Resolve(IPAddress.Parse("127.0.0.9"), new StringValues(forwardedFor), hops));
}

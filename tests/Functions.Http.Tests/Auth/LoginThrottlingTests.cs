using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Http.Auth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Auth;

/// <summary>Issue 13, item 2: login throttling counts every guess before checking it, and locks no owner out.</summary>
public sealed class LoginThrottlingTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Parallel_guesses_are_counted_before_any_password_is_checked()
    {
        var user = await api.NewUserAsync();
        var guesser = api.FromAddress("127.0.0.31");
        var answers = await Task.WhenAll(Enumerable.Range(0, 31).Select(i =>
            guesser.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = $"guess-{i}" })));
        foreach (var answer in answers) await answer.ProblemAsync(HttpStatusCode.Unauthorized);

        // Five free failures per (account, client), then the backoff: at most five of the 31 passwords were checked.
        var tag = SecurityEvents.EmailTag(user.Email);
        var output = await SecurityLog.WaitForAsync(api, $"login.failed: email {tag}", $"login.throttled: email {tag}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (SecurityLog.Count(output, $"email {tag} from") < 31 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            output = api.Host.Output;
        }
        Assert.Equal(5, SecurityLog.Count(output, $"login.failed: email {tag}"));
        Assert.Equal(26, SecurityLog.Count(output, $"login.throttled: email {tag}"));

        // The right password from the guesser's address waits too; from the owner's own address it works.
        await (await guesser.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.FromAddress("127.0.0.32").PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password }))
            .EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_wrong_throttled_and_inactive_answers_are_identical()
    {
        var user = await api.NewUserAsync();
        var suspended = await api.NewUserAsync();
        await TravelFunctions.Tests.AgentAuth.FeedsTestSupport.AdminExecAsync(api, "UPDATE users SET status = 'suspended' WHERE id = @id", new { id = suspended.Id });
        var client = api.FromAddress("127.0.0.33");
        async Task<string> Answer(string email, string password)
        {
            var body = await (await client.PostAsJsonAsync("/api/auth/token", new { email, password })).ProblemAsync(HttpStatusCode.Unauthorized);
            body.AsObject().Remove("traceId");
            return body.ToJsonString();
        }

        var unknown = await Answer($"nobody-{Guid.NewGuid():N}@example.test", "whatever-password");
        var wrong = await Answer(user.Email, "wrong-password");
        var inactive = await Answer(suspended.Email, suspended.Password);
        for (var i = 0; i < 4; i++) await Answer(user.Email, "wrong-password");
        var throttled = await Answer(user.Email, user.Password);
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, inactive);
        Assert.Equal(unknown, throttled);
        await SecurityLog.WaitForAsync(api, $"login.throttled: email {SecurityEvents.EmailTag(user.Email)} from 127.0.0.33");
    }
}

public sealed class AccountThrottleFixture : ApiFixture
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Auth__AccountFailuresPerHour"] = "3",
        ["Auth__AccountIntervalSeconds"] = "3600",
    };
}

/// <summary>Issue 13, items 1 and 2: the per-account limit holds whatever address the guesses come from.</summary>
public sealed class AccountThrottleTests(AccountThrottleFixture api) : IClassFixture<AccountThrottleFixture>
{
    [Fact]
    public async Task Guesses_from_many_addresses_meet_the_account_wide_throttle()
    {
        var user = await api.NewUserAsync(); // its sign-in counted once against the account and was taken back
        for (var i = 0; i < 3; i++)
            await (await api.FromAddress($"127.0.0.{41 + i}").PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = "wrong-password" }))
                .ProblemAsync(HttpStatusCode.Unauthorized);
        // A fourth address, with no failure of its own, is not checked: the account's hourly allowance is used up.
        await (await api.FromAddress("127.0.0.44").PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        var tag = SecurityEvents.EmailTag(user.Email);
        var output = await SecurityLog.WaitForAsync(api, $"login.throttled: email {tag} from 127.0.0.44 (account throttle)");
        Assert.Equal(3, SecurityLog.Count(output, $"login.failed: email {tag}"));

        // The same for an email with no account: the throttle says nothing about which emails exist.
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        for (var i = 0; i < 3; i++)
            await (await api.FromAddress($"127.0.0.{51 + i}").PostAsJsonAsync("/api/auth/token", new { email = nobody, password = "wrong-password" }))
                .ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.FromAddress("127.0.0.54").PostAsJsonAsync("/api/auth/token", new { email = nobody, password = "wrong-password" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await SecurityLog.WaitForAsync(api, $"login.throttled: email {SecurityEvents.EmailTag(nobody)} from 127.0.0.54 (account throttle)");
    }
}

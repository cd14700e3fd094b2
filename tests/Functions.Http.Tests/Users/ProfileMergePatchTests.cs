using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Users;

/// <summary>
/// PATCH /api/users/me as a JSON Merge Patch (RFC 7396): every member, preferences member by member, can be set and
/// left out; the optional ones are cleared by null (lists become empty); the required ones refuse null with a 400.
/// </summary>
public sealed class ProfileMergePatchTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent MergePatch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    private const string Full = """
        {"phone":"+351 21 000 0000","preferences":{"cabinClass":"business","seat":"window","meal":"vegan",
         "airlines":["TP"],"hotelChains":["Pestana"],"loyaltyPrograms":[{"program":"Miles&Go","number":"123"}],
         "notifications":{"email":false,"sms":true,"push":true},"accessibility":["wheelchair"],"dietary":["nuts"],
         "language":"pt-PT","timezone":"Europe/Lisbon","homeAirport":"LIS"}}
        """;

    /// <summary>A user whose every optional member has a value, and their profile as the API shows it.</summary>
    private async Task<(TestUser User, JsonObject Before)> NewFilledUserAsync()
    {
        var user = await api.NewUserAsync();
        var response = await user.Client.PatchAsync("/api/users/me", MergePatch(Full));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (user, (await response.JsonAsync()).AsObject());
    }

    /// <summary>The profile without the member a change touches (a path like "preferences/seat") and the update time.</summary>
    private static string Rest(JsonNode profile, string? path = null)
    {
        var copy = profile.DeepClone().AsObject();
        copy.Remove("updatedAt");
        if (path is not null)
        {
            var parts = path.Split('/');
            (parts.Length == 1 ? copy : copy[parts[0]]!.AsObject()).Remove(parts[^1]);
        }
        return copy.ToJsonString();
    }

    private static JsonNode? At(JsonNode profile, string path) =>
        path.Split('/') is [var a, var b] ? profile[a]![b] : profile[path];

    private static string Body(string path, string value) =>
        path.Split('/') is [var a, var b] ? $"{{\"{a}\":{{\"{b}\":{value}}}}}" : $"{{\"{path}\":{value}}}";

    [Fact]
    public async Task An_empty_patch_and_an_empty_preferences_object_leave_everything()
    {
        var (user, before) = await NewFilledUserAsync();
        foreach (var body in new[] { "{}", """{"preferences":{}}""" })
        {
            var response = await user.Client.PatchAsync("/api/users/me", MergePatch(body));
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            Assert.Equal(Rest(before), Rest(await response.JsonAsync()));
        }
    }

    [Theory]
    [InlineData("firstName", "\"Grace\"")]
    [InlineData("lastName", "\"Hopper\"")]
    [InlineData("phone", "\"+1 555 0100\"")]
    [InlineData("preferences/cabinClass", "\"first\"")]
    [InlineData("preferences/seat", "\"aisle\"")]
    [InlineData("preferences/meal", "\"kosher\"")]
    [InlineData("preferences/airlines", "[\"LH\",\"AF\"]")]
    [InlineData("preferences/hotelChains", "[\"Hilton\"]")]
    [InlineData("preferences/loyaltyPrograms", """[{"program":"Flying Blue","number":"9"}]""")]
    [InlineData("preferences/notifications", """{"email":true,"sms":false,"push":false}""")]
    [InlineData("preferences/accessibility", "[\"step-free\"]")]
    [InlineData("preferences/dietary", "[\"gluten\"]")]
    [InlineData("preferences/language", "\"fr\"")]
    [InlineData("preferences/timezone", "\"Europe/Paris\"")]
    [InlineData("preferences/homeAirport", "\"CDG\"")]
    public async Task Each_member_is_set_and_the_others_left_as_they_were(string path, string value)
    {
        var (user, before) = await NewFilledUserAsync();
        var response = await user.Client.PatchAsync("/api/users/me", MergePatch(Body(path, value)));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await response.JsonAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(value), At(after, path)), $"{path}: {At(after, path)?.ToJsonString()}");
        Assert.Equal(Rest(before, path), Rest(after, path));
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("preferences/cabinClass")]
    [InlineData("preferences/seat")]
    [InlineData("preferences/meal")]
    [InlineData("preferences/homeAirport")]
    [InlineData("preferences/airlines")]
    [InlineData("preferences/hotelChains")]
    [InlineData("preferences/loyaltyPrograms")]
    [InlineData("preferences/accessibility")]
    [InlineData("preferences/dietary")]
    public async Task Null_clears_an_optional_member(string path)
    {
        var (user, before) = await NewFilledUserAsync();
        var response = await user.Client.PatchAsync("/api/users/me", MergePatch(Body(path, "null")));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var after = await response.JsonAsync();

        if (At(before, path) is JsonArray) Assert.Empty(At(after, path)!.AsArray());
        else Assert.Null(At(after, path));
        Assert.Equal(Rest(before, path), Rest(after, path));
        var read = await (await user.Client.GetAsync("/api/users/me")).JsonAsync();
        Assert.Equal(Rest(after), Rest(read));
    }

    [Theory]
    [InlineData("firstName")]
    [InlineData("lastName")]
    [InlineData("preferences")]
    [InlineData("preferences/notifications")]
    [InlineData("preferences/language")]
    [InlineData("preferences/timezone")]
    public async Task Null_on_a_required_member_is_400_and_changes_nothing(string path)
    {
        var (user, before) = await NewFilledUserAsync();
        var body = await (await user.Client.PatchAsync("/api/users/me", MergePatch(Body(path, "null"))))
            .ValidationProblemAsync(path.Replace('/', '.'));
        Assert.Contains("cannot be cleared", body["errors"]!.ToJsonString());
        var read = await (await user.Client.GetAsync("/api/users/me")).JsonAsync();
        Assert.Equal(Rest(before), Rest(read));
    }

    [Fact]
    public async Task An_empty_phone_still_clears_it()
    {
        var (user, _) = await NewFilledUserAsync();
        var response = await user.Client.PatchAsync("/api/users/me", HttpTestExtensions.RawJson("""{"phone":""}"""));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Null((await response.JsonAsync())["phone"]);
    }
}

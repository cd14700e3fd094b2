using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Users;

/// <summary>An app in the middle of a signing-key rollover: Jwt__SigningKey is the new key, Jwt__PreviousSigningKey the old one.</summary>
public sealed class RolloverApiFixture : ApiFixture
{
    public const string CurrentKey = "rollover-test-current-key-0123456789abcdef";
    public const string PreviousKey = "rollover-test-previous-key-0123456789abcdef";

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Jwt__SigningKey"] = CurrentKey,
        ["Jwt__PreviousSigningKey"] = PreviousKey,
    };
}

/// <summary>
/// Rotating the signing key logs nobody out: for one access-token lifetime the app signs with the new key and still
/// accepts tokens signed with the old one; any other key is refused as before.
/// </summary>
public sealed class KeyRolloverTests(RolloverApiFixture api) : IClassFixture<RolloverApiFixture>
{
    private static string Sign(string key, Guid userId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://travelfunctions.test",
        Audience = "travelfunctions-api",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Claims = new Dictionary<string, object> { ["sub"] = userId.ToString(), ["token_use"] = "user", ["sid"] = Guid.NewGuid().ToString() },
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
    });

    private async Task<HttpStatusCode> MeWith(string token)
    {
        var client = api.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return (await client.GetAsync("/api/users/me")).StatusCode;
    }

    [Fact]
    public async Task Tokens_are_signed_with_the_new_key()
    {
        var user = await api.NewUserAsync();
        var issued = user.Client.DefaultRequestHeaders.Authorization!.Parameter!;

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(issued, new TokenValidationParameters
        {
            ValidIssuer = "https://travelfunctions.test",
            ValidAudience = "travelfunctions-api",
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(RolloverApiFixture.CurrentKey)),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task A_token_signed_with_the_previous_key_is_still_accepted()
    {
        var user = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, await MeWith(Sign(RolloverApiFixture.PreviousKey, user.Id)));
        Assert.Equal(HttpStatusCode.OK, await MeWith(Sign(RolloverApiFixture.CurrentKey, user.Id)));
    }

    [Fact]
    public async Task A_token_signed_with_any_other_key_is_401()
    {
        var user = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(Sign("some-other-key-that-is-long-enough-0123456789", user.Id)));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Users;

public sealed class UsersAndAuthTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Register_returns_201_with_location_and_profile_defaults()
    {
        var client = api.Anonymous();
        var email = $"Ada{Guid.NewGuid():N}@Example.test";
        var response = await client.PostAsJsonAsync("/api/users", new { email, password = "a-long-password", firstName = "Ada", lastName = "Lovelace", phone = "+44 20 7946 0000" });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        Assert.Equal("/api/users/me", response.Headers.Location?.OriginalString);
        var body = await response.JsonAsync();
        Assert.Equal("Ada", body["firstName"]!.GetValue<string>());
        Assert.Equal("+44 20 7946 0000", body["phone"]!.GetValue<string>());
        Assert.Equal("UTC", body["preferences"]!["timezone"]!.GetValue<string>());
        Assert.True(body["preferences"]!["notifications"]!["email"]!.GetValue<bool>());
        Assert.Null(body["passwordHash"]);
    }

    [Fact]
    public async Task Register_with_taken_email_in_any_case_is_409()
    {
        var user = await api.NewUserAsync();
        var again = await api.Anonymous().PostAsJsonAsync("/api/users", new { email = user.Email.ToUpperInvariant(), password = "another-password", firstName = "X", lastName = "Y" });
        await again.ProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","password":"long-enough-pw","firstName":"A","lastName":"B"}""", "email")]
    [InlineData("""{"email":"a@b.test","password":"short","firstName":"A","lastName":"B"}""", "password")]
    [InlineData("""{"email":"a@b.test","password":"long-enough-pw","lastName":"B"}""", "firstName")]
    [InlineData("""{"email":"a@b.test","password":"long-enough-pw","firstName":"A","lastName":"B","admin":true}""", "admin")]
    [InlineData("""{"email":"a@b.test","password":12345678901,"firstName":"A","lastName":"B"}""", "password")]
    [InlineData("""{"email":"a@b.test","password":"long-enough-pw","firstName":"A","lastName":"B","phone":"call me"}""", "phone")]
    [InlineData("""{"email":"a@b.test",""", "body")]
    public async Task Register_rejects_bad_input_with_field_errors_and_writes_nothing(string json, string field)
    {
        var response = await api.Anonymous().PostAsync("/api/users", HttpTestExtensions.RawJson(json));
        await response.ValidationProblemAsync(field);
        await using var conn = new NpgsqlConnection(api.Database.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM users WHERE email = 'a@b.test'", conn);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Token_for_unknown_email_and_wrong_password_look_the_same()
    {
        var user = await api.NewUserAsync();
        var unknown = await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = "nobody@example.test", password = "whatever-pass" });
        var wrong = await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = "wrong-password" });
        var a = await unknown.ProblemAsync(HttpStatusCode.Unauthorized);
        var b = await wrong.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(a["detail"]!.GetValue<string>(), b["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Token_pair_has_the_contract_shape_and_works()
    {
        var user = await api.NewUserAsync();
        var response = await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("Bearer", body["tokenType"]!.GetValue<string>());
        Assert.True(body["expiresIn"]!.GetValue<int>() > 0);
        Assert.False(string.IsNullOrEmpty(body["accessToken"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(body["refreshToken"]!.GetValue<string>()));
        var me = await user.Client.GetAsync("/api/users/me");
        await me.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(user.Id, (await me.JsonAsync())["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Five_failures_make_the_next_attempt_wait_even_for_the_right_password_but_only_for_that_client()
    {
        var user = await api.NewUserAsync();
        var guesser = api.FromAddress("127.0.0.21");
        for (var i = 0; i < 5; i++)
            await (await guesser.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = "wrong-password" }))
                .ProblemAsync(HttpStatusCode.Unauthorized);
        // The guesser's next attempt is not checked, not even with the right password...
        await (await guesser.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        // ...but the owner, from another address, is not locked out by a stranger's guesses.
        await (await api.FromAddress("127.0.0.22").PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password }))
            .EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_of_a_revoked_token_revokes_the_family()
    {
        var user = await api.NewUserAsync();
        var first = await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken });
        await first.EnsureStatusAsync(HttpStatusCode.OK);
        var rotated = (await first.JsonAsync())["refreshToken"]!.GetValue<string>();
        Assert.NotEqual(user.RefreshToken, rotated);

        // The old token is revoked: presenting it again is a reuse...
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        // ...which revoked the whole family, including the token that was valid a moment ago.
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = rotated }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Unknown_refresh_token_is_401_and_missing_is_400()
    {
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "nope" })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { })).ValidationProblemAsync("refreshToken");
    }

    [Fact]
    public async Task No_token_or_a_bad_token_is_401()
    {
        await (await api.Anonymous().GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        var forged = api.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        await (await forged.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Patch_me_updates_profile_and_preferences()
    {
        var user = await api.NewUserAsync();
        var response = await user.Client.PatchAsJsonAsync("/api/users/me", new
        {
            lastName = "Hopper",
            phone = "+1 555 0100",
            preferences = new
            {
                cabinClass = "premium_economy", seat = "aisle", meal = "vegetarian",
                airlines = new[] { "UA", "LH" }, hotelChains = new[] { "Hilton" },
                loyaltyPrograms = new[] { new { program = "Miles&More", number = "992233" } },
                notifications = new { email = false, sms = true, push = true },
                language = "pt-BR", timezone = "Europe/Lisbon", homeAirport = "LIS",
            },
        });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("Hopper", body["lastName"]!.GetValue<string>());
        Assert.Equal("Test", body["firstName"]!.GetValue<string>());
        var prefs = body["preferences"]!;
        Assert.Equal("premium_economy", prefs["cabinClass"]!.GetValue<string>());
        Assert.Equal("LH", prefs["airlines"]![1]!.GetValue<string>());
        Assert.Equal("992233", prefs["loyaltyPrograms"]![0]!["number"]!.GetValue<string>());
        Assert.True(prefs["notifications"]!["sms"]!.GetValue<bool>());
        Assert.Equal("Europe/Lisbon", prefs["timezone"]!.GetValue<string>());

        // "" clears the phone; absent fields stay.
        var cleared = await (await user.Client.PatchAsJsonAsync("/api/users/me", new { phone = "" })).JsonAsync();
        Assert.Null(cleared["phone"]);
        Assert.Equal("aisle", cleared["preferences"]!["seat"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"preferences":{"cabinClass":"luxury"}}""", "preferences.cabinClass")]
    [InlineData("""{"preferences":{"timezone":"Mars/Olympus"}}""", "preferences.timezone")]
    [InlineData("""{"preferences":{"airlines":["united airlines"]}}""", "preferences.airlines")]
    [InlineData("""{"firstName":""}""", "firstName")]
    [InlineData("""{"nickname":"x"}""", "nickname")]
    public async Task Patch_me_rejects_bad_input(string json, string field)
    {
        var user = await api.NewUserAsync();
        var response = await user.Client.PatchAsync("/api/users/me", HttpTestExtensions.RawJson(json));
        await response.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Delete_me_anonymizes_revokes_tokens_and_login_fails_after()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.DeleteAsync("/api/users/me")).EnsureStatusAsync(HttpStatusCode.NoContent);

        await (await user.Client.GetAsync("/api/users/me")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Anonymous().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }))
            .ProblemAsync(HttpStatusCode.Unauthorized);

        await using var conn = new NpgsqlConnection(api.Database.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT u.email, u.first_name, u.phone, u.status, u.deleted_at IS NOT NULL,
                   (SELECT count(*) FROM refresh_sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL)
              FROM users u WHERE u.id = @id
            """, conn);
        cmd.Parameters.AddWithValue("id", user.Id);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.DoesNotContain(user.Email, r.GetString(0));
        Assert.Equal("Deleted", r.GetString(1));
        Assert.True(r.IsDBNull(2));
        Assert.Equal("deleted", r.GetString(3));
        Assert.True(r.GetBoolean(4));
        Assert.Equal(0L, r.GetInt64(5));

        // The address is free again for a new account.
        var again = await api.Anonymous().PostAsJsonAsync("/api/users", new { email = user.Email, password = "a-new-password", firstName = "N", lastName = "U" });
        await again.EnsureStatusAsync(HttpStatusCode.Created);
    }
}

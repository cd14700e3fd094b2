using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Users;

/// <summary>Accounts and profiles. Every statement runs under row-level security as the user it concerns.</summary>
public sealed class UserStore(Db db)
{
    /// <summary>The new account and its profile, written and read back in one transaction; null when a live account already uses the email.</summary>
    public Task<(UserRow User, ProfileRow Profile)?> RegisterAsync(NewUser user, CancellationToken ct) =>
        db.AnonymousAsync<(UserRow, ProfileRow)?>(async tx =>
        {
            UserRow created;
            try
            {
                await tx.ExecuteAsync("SAVEPOINT register");
                created = await tx.QuerySingleAsync<UserRow>($"""
                    INSERT INTO users (id, email, password_hash, first_name, last_name, phone)
                    VALUES (@Id, @Email, @PasswordHash, @FirstName, @LastName, @Phone)
                    RETURNING {UserColumns}
                    """, user);
            }
            catch (PostgresException ex) when (ex is { SqlState: "23505", ConstraintName: "users_email_live_uq" })
            {
                await tx.ExecuteAsync("ROLLBACK TO SAVEPOINT register");
                return null;
            }
            var profile = await tx.QuerySingleAsync<ProfileRow>(
                $"INSERT INTO user_profiles (user_id) VALUES (@Id) RETURNING {ProfileColumns}", new { user.Id });
            // Invitations that were waiting for this address become the new account's pending invitations.
            await tx.ExecuteScalarAsync<int>("SELECT app.claim_invitations()");
            return (created, profile);
        }, ct, actAs: user.Id);

    public Task<LoginRecord?> FindForLoginAsync(string email, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.QuerySingleOrDefaultAsync<LoginRecord>(
            "SELECT id, password_hash, status, failed_login_count, locked_until FROM app.login_lookup(@email)", new { email }), ct);

    public Task RecordLoginAsync(Guid userId, string? rehashedPassword, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.ExecuteAsync("""
            UPDATE users
               SET failed_login_count = 0, locked_until = NULL, last_login_at = now(),
                   password_hash = coalesce(@rehashedPassword, password_hash)
             WHERE id = @userId
            """, new { userId, rehashedPassword }), ct, actAs: userId);

    /// <summary>One round trip (Db.ReadAsUserAsync).</summary>
    public Task<(UserRow User, ProfileRow Profile)?> GetAsync(Guid userId, CancellationToken ct) =>
        db.ReadAsUserAsync(userId, ReadSql, new { userId }, ReadAsync, ct);

    public Task<(UserRow User, ProfileRow Profile)?> UpdateAsync(Guid userId, UserChanges c, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx =>
        {
            await tx.ExecuteAsync("""
                UPDATE users SET
                    first_name = coalesce(@FirstName, first_name),
                    last_name  = coalesce(@LastName, last_name),
                    phone      = CASE WHEN @ClearPhone THEN NULL ELSE coalesce(@Phone, phone) END
                 WHERE id = app.current_user_id()
                """, c);
            await tx.ExecuteAsync("""
                UPDATE user_profiles SET
                    preferred_cabin_class      = CASE WHEN @ClearCabinClass THEN NULL ELSE coalesce(@CabinClass, preferred_cabin_class) END,
                    seat_preference            = CASE WHEN @ClearSeat THEN NULL ELSE coalesce(@Seat, seat_preference) END,
                    meal_preference            = CASE WHEN @ClearMeal THEN NULL ELSE coalesce(@Meal, meal_preference) END,
                    preferred_airlines         = coalesce(@AirlinesJson::jsonb, preferred_airlines),
                    preferred_hotel_chains     = coalesce(@HotelChainsJson::jsonb, preferred_hotel_chains),
                    loyalty_programs           = coalesce(@LoyaltyJson::jsonb, loyalty_programs),
                    notification_preferences   = coalesce(@NotificationsJson::jsonb, notification_preferences),
                    accessibility_requirements = coalesce(@AccessibilityJson::jsonb, accessibility_requirements),
                    dietary_restrictions       = coalesce(@DietaryJson::jsonb, dietary_restrictions),
                    preferred_language         = coalesce(@Language, preferred_language),
                    timezone                   = coalesce(@Timezone, timezone),
                    home_airport               = CASE WHEN @ClearHomeAirport THEN NULL ELSE coalesce(@HomeAirport, home_airport) END
                 WHERE user_id = app.current_user_id()
                """, c);
            return await ReadAsync(tx, userId);
        }, ct);

    private const string UserColumns = "id, email, first_name, last_name, phone, email_verified, status, created_at, updated_at, last_login_at";

    private const string ProfileColumns = """
        preferred_cabin_class, seat_preference, meal_preference,
        preferred_airlines::text, preferred_hotel_chains::text, loyalty_programs::text,
        notification_preferences::text, accessibility_requirements::text, dietary_restrictions::text,
        preferred_language, timezone, home_airport, updated_at
        """;

    // The account and its profile: two statements, sent as one batch.
    private const string ReadSql = $"""
        SELECT {UserColumns} FROM users WHERE id = @userId;
        SELECT {ProfileColumns} FROM user_profiles WHERE user_id = @userId;
        """;

    private static async Task<(UserRow, ProfileRow)?> ReadAsync(SqlMapper.GridReader grid)
    {
        var user = await grid.ReadSingleOrDefaultAsync<UserRow>();
        var profile = await grid.ReadSingleOrDefaultAsync<ProfileRow>();
        return user is null || profile is null ? null : (user, profile);
    }

    private static async Task<(UserRow, ProfileRow)?> ReadAsync(DbTx tx, Guid userId)
    {
        await using var grid = await tx.Connection.QueryMultipleAsync(new CommandDefinition(
            ReadSql, new { userId }, tx.Transaction, cancellationToken: tx.CancellationToken));
        return await ReadAsync(grid);
    }

    /// <summary>
    /// GDPR erasure, first step: anonymize now, revoke every refresh token, keep the row (soft delete)
    /// so the 30-day hard purge (a timer job) can cascade everything later.
    /// </summary>
    public Task SoftDeleteAsync(Guid userId, CancellationToken ct) =>
        // An owner function: travel_app may not write status, deleted_at, email or email_verified itself.
        db.AsUserAsync(userId, tx => tx.ExecuteScalarAsync<bool>("SELECT app.soft_delete_current_user()"), ct);
}

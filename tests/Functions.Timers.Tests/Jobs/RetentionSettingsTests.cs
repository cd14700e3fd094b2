using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>
/// Retention is data (maintenance.table_settings, 0015) and tuning is settings: an UPDATE changes what the next run
/// deletes, with no new deployment; the table's CHECKs refuse what must not be.
/// </summary>
public sealed class RetentionSettingsTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private async Task<NpgsqlConnection> AdminAsync()
    {
        var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        return admin;
    }

    private static long Rows(JobRunResult run, string unit) => (long)run.Units.Single(u => u.Unit == unit).Data!["rows"]!;

    [Fact]
    public async Task A_changed_table_settings_row_changes_what_the_next_run_deletes_without_a_deploy()
    {
        await using var admin = await AdminAsync();
        var now = fx.Clock.GetUtcNow();
        var user = await Seed.UserAsync(admin);
        var gone = await Seed.UserAsync(admin, deletedAt: now.AddDays(-40));
        await admin.ExecuteAsync("""
            INSERT INTO maintenance.job_runs (job, started_at, finished_at, outcome) VALUES
              ('CacheExpiry', @now - interval '20 days', @now - interval '20 days', 'done'),
              ('CacheExpiry', @now - interval '5 days', @now - interval '5 days', 'done');
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, created_at, expires_at, revoked_at, revoked_reason) VALUES
              (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @now - interval '25 days', @now + interval '10 days', @now - interval '20 days', 'rotated');
            -- Users' purge switched off: the soft-deleted user stays however old.
            UPDATE maintenance.table_settings SET enabled = false WHERE table_name = 'users';
            """, new { now, user });

        // Today's periods (90 and 30 days): nothing of the above is old enough.
        var before = await fx.RunAsync("RetentionPurge");
        Assert.True(before.Succeeded);
        Assert.Equal(0L, Rows(before, "job_runs"));
        Assert.Equal(0L, Rows(before, "refresh_sessions"));
        var users = before.Units.Single(u => u.Unit == "users");
        Assert.Equal(UnitOutcome.NothingToDo, users.Outcome);
        Assert.Equal("retention disabled in maintenance.table_settings", users.Detail);

        await admin.ExecuteAsync("""
            UPDATE maintenance.table_settings SET retention_days = 10 WHERE table_name IN ('job_runs', 'refresh_sessions');
            UPDATE maintenance.table_settings SET enabled = true WHERE table_name = 'users';
            """);
        var after = await fx.RunAsync("RetentionPurge");

        Assert.True(after.Succeeded);
        Assert.Equal(1L, Rows(after, "job_runs"));
        Assert.Equal(1L, Rows(after, "refresh_sessions"));
        Assert.Equal(1L, Rows(after, "users"));
        Assert.Equal(1L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs WHERE job = 'CacheExpiry'"));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE id = @gone", new { gone }));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM refresh_sessions WHERE user_id = @user", new { user }));
    }

    [Theory]
    [InlineData("UPDATE maintenance.table_settings SET retention_days = 31 WHERE table_name = 'users'", "table_settings_users_erasure_within_30_days")]
    [InlineData("UPDATE maintenance.table_settings SET retention_days = 0 WHERE table_name = 'job_runs'", "table_settings_retention_days_check")]
    [InlineData("INSERT INTO maintenance.table_settings (table_name, hot_months) VALUES ('half_policy', 3)", "table_settings_partition_policy_whole")]
    [InlineData("INSERT INTO maintenance.table_settings (table_name) VALUES ('no_policy')", "table_settings_some_policy")]
    public async Task The_table_refuses_a_policy_that_must_not_be(string sql, string constraint)
    {
        await using var admin = await AdminAsync();

        var failure = await Assert.ThrowsAsync<PostgresException>(() => admin.ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.CheckViolation, failure.SqlState);
        Assert.Equal(constraint, failure.ConstraintName);
    }
}

/// <summary>The Maintenance__… settings reach the purge (a database of its own: RetentionSettingsTests changes the periods).</summary>
public sealed class PurgeBatchSettingsTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task The_batch_size_and_pace_settings_reach_the_purge()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var now = fx.Clock.GetUtcNow();
        await admin.ExecuteAsync("""
            INSERT INTO maintenance.job_runs (job, started_at, finished_at, outcome)
            SELECT 'AnalyzeTables', @now - interval '200 days', @now - interval '200 days', 'done' FROM generate_series(1, 5)
            """, new { now });
        var config = new ConfigurationBuilder().AddInMemoryCollection(
            TimersApp.Settings(fx.Database).Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value))
                .Append(KeyValuePair.Create("Maintenance:PurgeBatchSize", (string?)"2"))
                .Append(KeyValuePair.Create("Maintenance:PurgeRestPercent", (string?)"0"))).Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging()
            .AddSingleton<TimeProvider>(fx.Clock).AddTimerJobs(config).BuildServiceProvider();

        var run = await services.GetRequiredService<JobRunner>().RunAsync(services.GetRequiredService<JobCatalog>().Get("RetentionPurge"),
            "test-" + Guid.NewGuid(), dryRun: false, CancellationToken.None);

        Assert.True(run.Succeeded);
        var jobRuns = run.Units.Single(u => u.Unit == "job_runs");
        Assert.Equal(5L, jobRuns.Data!["rows"]);
        Assert.Equal(3, jobRuns.Data!["batches"]);  // 2 + 2 + 1
    }
}

using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Connections;

/// <summary>The shared type handlers apply to parameters too, so no store converts by hand.</summary>
public sealed class DapperSetupTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task DateTimeOffset_parameters_with_any_offset_are_written_as_the_same_instant()
    {
        DapperSetup.Configure();
        var at = new DateTimeOffset(2027, 4, 10, 7, 5, 0, TimeSpan.FromHours(2));
        DateTimeOffset? maybe = at;
        await using var conn = new NpgsqlConnection(db.Pooled);
        var read = await conn.QuerySingleAsync<DateTimeOffset>("SELECT @at::timestamptz", new { at });
        var readNullable = await conn.QuerySingleAsync<DateTimeOffset>("SELECT @maybe::timestamptz", new { maybe });
        Assert.Equal(at, read);
        Assert.Equal(at, readNullable);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public async Task DateOnly_round_trips()
    {
        DapperSetup.Configure();
        var day = new DateOnly(2027, 2, 28);
        await using var conn = new NpgsqlConnection(db.Pooled);
        Assert.Equal(day, await conn.QuerySingleAsync<DateOnly>("SELECT @day::date", new { day }));
    }
}

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

    private enum CabinClass { Economy, PremiumEconomy }

    private sealed class SnakeCaseCabinHandler : SqlMapper.TypeHandler<CabinClass>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, CabinClass value) =>
            parameter.Value = value == CabinClass.PremiumEconomy ? "premium_economy" : "economy";

        public override CabinClass Parse(object value) => (string)value == "premium_economy" ? CabinClass.PremiumEconomy : CabinClass.Economy;
    }

    private sealed record CabinRow(CabinClass Cabin);

    /// <summary>
    /// Why enums stay text in the stores and become enums only in EnumText (docs/architecture.md): Dapper ignores type
    /// handlers for enum types (DapperLib/Dapper#259). When an upgrade changes that, this test fails, and the conversion
    /// can move into DapperSetup.
    /// </summary>
    [Fact]
    public async Task Dapper_still_ignores_type_handlers_for_enums()
    {
        SqlMapper.AddTypeHandler(new SnakeCaseCabinHandler());
        await using var conn = new NpgsqlConnection(db.Pooled);
        await Assert.ThrowsAnyAsync<Exception>(() => conn.QuerySingleAsync<CabinRow>("SELECT 'premium_economy'::text AS cabin"));
        Assert.Equal("1", await conn.QuerySingleAsync<string>("SELECT @cabin::text", new { cabin = CabinClass.PremiumEconomy }));
    }
}

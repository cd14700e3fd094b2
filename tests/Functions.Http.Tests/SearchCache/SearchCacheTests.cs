using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.SearchCache;

public sealed class SearchCacheTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object Flight(string origin = "cdg", string destination = "LIS", int? ttlSeconds = null) => new
    {
        parameters = new Dictionary<string, object?>
        {
            ["origin"] = origin, ["destination"] = destination, ["departDate"] = "2027-05-01", ["adults"] = 2, ["nonstop"] = true, ["promo"] = null,
        },
        results = new { offers = new[] { new { carrier = "TP", price = 89.9 } } },
        ttlSeconds,
    };

    // Tests of this class share a database: each looks only at its own searches.
    private const string CdgFlights = "SELECT count(*) FROM flight_search_cache WHERE params ->> 'origin' = 'CDG' AND params ->> 'adults' = '2'";

    [Fact]
    public async Task Put_then_get_hits_whatever_the_parameter_order_case_and_blanks()
    {
        var agent = await api.NewAgentAsync("agents:search-cache");
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/flight", Flight())).EnsureStatusAsync(HttpStatusCode.NoContent);

        foreach (var query in new[]
                 {
                     "origin=CDG&destination=LIS&departDate=2027-05-01&adults=2&nonstop=true",
                     "NONSTOP=TRUE&adults=2&departdate=2027-05-01&Destination=lis&origin=%20cdg%20",
                     "destination=Lis&origin=cdg&adults=2&departDate=2027-05-01&nonstop=True&promo=&cabin=%20",
                 })
        {
            var hit = await agent.Client.GetAsync("/api/search-cache/flight?" + query);
            await hit.EnsureStatusAsync(HttpStatusCode.OK);
            var body = await hit.JsonAsync();
            Assert.Equal("TP", body["results"]!["offers"]![0]!["carrier"]!.GetValue<string>());
            Assert.Equal("flight", body["kind"]!.GetValue<string>());
            Assert.Equal("CDG", body["parameters"]!["origin"]!.GetValue<string>());
        }

        // Different values are different searches; so is the other kind.
        await (await agent.Client.GetAsync("/api/search-cache/flight?origin=CDG&destination=OPO&departDate=2027-05-01&adults=2&nonstop=true"))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.Client.GetAsync("/api/search-cache/flight?origin=CDG&destination=LIS&departDate=2027-05-01&adults=3&nonstop=true"))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.Client.GetAsync("/api/search-cache/hotel?origin=CDG&destination=LIS&departDate=2027-05-01&adults=2&nonstop=true"))
            .ProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(1L, await api.AdminScalarAsync<long>(CdgFlights));
        Assert.Equal(3L, await api.AdminScalarAsync<long>("""
            SELECT t.hit_count FROM search_cache_hit_totals t JOIN flight_search_cache c USING (cache_key)
             WHERE t.cache_kind = 'flight' AND c.params ->> 'origin' = 'CDG' AND c.params ->> 'destination' = 'LIS'
            """));

        // Re-putting the same search (other order and case) replaces the entry, not a second row.
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/flight", Flight(origin: "CDG", destination: "lis"))).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(1L, await api.AdminScalarAsync<long>(CdgFlights));
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/flight", Flight(destination: "OPO"))).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(2L, await api.AdminScalarAsync<long>(CdgFlights));
    }

    [Fact]
    public async Task Ttl_defaults_by_kind_bounds_and_expiry()
    {
        var agent = await api.NewAgentAsync("agents:search-cache");
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/flight", Flight(origin: "AMS"))).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/hotel", new { parameters = new { city = "Paris", checkIn = "2027-05-01" }, results = new[] { 1, 2 } }))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/hotel", new { parameters = new { city = "Rome" }, results = "[]", ttlSeconds = 60 }))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(3600d, await api.AdminScalarAsync<double>(
            "SELECT extract(epoch FROM expires_at - created_at)::float8 FROM flight_search_cache WHERE params ->> 'origin' = 'AMS'"));
        Assert.Equal(7200d, await api.AdminScalarAsync<double>(
            "SELECT extract(epoch FROM expires_at - created_at)::float8 FROM hotel_search_cache WHERE params ->> 'city' = 'PARIS'"));
        Assert.Equal(60d, await api.AdminScalarAsync<double>(
            "SELECT extract(epoch FROM expires_at - created_at)::float8 FROM hotel_search_cache WHERE params ->> 'city' = 'ROME'"));

        await (await agent.Client.GetAsync("/api/search-cache/hotel?city=paris&checkIn=2027-05-01")).EnsureStatusAsync(HttpStatusCode.OK);
        await api.AdminExecAsync("""
            UPDATE hotel_search_cache SET created_at = now() - interval '3 hours', expires_at = now() - interval '1 second'
             WHERE params ->> 'city' = 'PARIS'
            """);
        await (await agent.Client.GetAsync("/api/search-cache/hotel?city=paris&checkIn=2027-05-01")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(1L, await api.AdminScalarAsync<long>("""
            SELECT t.hit_count FROM search_cache_hit_totals t JOIN hotel_search_cache c USING (cache_key)
             WHERE t.cache_kind = 'hotel' AND c.params ->> 'city' = 'PARIS'
            """));
    }

    [Fact]
    public async Task Concurrent_hits_are_counted_exactly()
    {
        var agent = await api.NewAgentAsync("agents:search-cache");
        await (await agent.Client.PutAsJsonAsync("/api/search-cache/hotel", new { parameters = new { city = "Berlin" }, results = new { n = 1 } }))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            agent.Client.GetAsync(i % 2 == 0 ? "/api/search-cache/hotel?city=berlin" : "/api/search-cache/hotel?CITY=BERLIN%20")));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s.StatusCode));
        const string total = """
            SELECT t.hit_count FROM search_cache_hit_totals t JOIN hotel_search_cache c USING (cache_key)
             WHERE t.cache_kind = 'hotel' AND c.params ->> 'city' = 'BERLIN'
            """;
        Assert.Equal(50L, await api.AdminScalarAsync<long>(total));

        // Folding moves them into the row without losing or doubling any.
        Assert.True(await api.AdminScalarAsync<long>("SELECT maintenance.fold_search_cache_hits()") >= 50);
        Assert.Equal(50L, await api.AdminScalarAsync<long>("SELECT hit_count FROM hotel_search_cache WHERE params ->> 'city' = 'BERLIN'"));
        Assert.Equal(50L, await api.AdminScalarAsync<long>(total));
    }

    [Fact]
    public async Task Every_validation_rule()
    {
        var agent = await api.NewAgentAsync("agents:search-cache");
        var c = agent.Client;
        const string all = "SELECT (SELECT count(*) FROM flight_search_cache) + (SELECT count(*) FROM hotel_search_cache)";
        var before = await api.AdminScalarAsync<long>(all);
        await (await c.GetAsync("/api/search-cache/train?from=A")).ValidationProblemAsync("kind");
        await (await c.PutAsJsonAsync("/api/search-cache/train", new { parameters = new { from = "A" }, results = 1 })).ValidationProblemAsync("kind");
        await (await c.GetAsync("/api/search-cache/flight")).ValidationProblemAsync("parameters");
        await (await c.GetAsync("/api/search-cache/flight?origin=&destination=%20")).ValidationProblemAsync("parameters");
        await (await c.GetAsync("/api/search-cache/flight?origin=CDG&origin=ORY")).ValidationProblemAsync("origin");
        await (await c.GetAsync("/api/search-cache/flight?origin=CDG&ORIGIN=ORY")).ValidationProblemAsync("ORIGIN");
        await (await c.GetAsync("/api/search-cache/flight?bad%20name=1")).ValidationProblemAsync("bad name");
        await (await c.GetAsync("/api/search-cache/flight?origin=" + new string('x', 257))).ValidationProblemAsync("origin");
        await (await c.GetAsync("/api/search-cache/flight?" + string.Join('&', Enumerable.Range(0, 33).Select(i => $"p{i}=1")))).ValidationProblemAsync("parameters");

        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { results = 1 })).ValidationProblemAsync("parameters");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = "CDG" } })).ValidationProblemAsync("results");
        await (await c.PutAsync("/api/search-cache/flight", HttpTestExtensions.RawJson("""{"parameters":{"origin":"CDG"},"results":null}""")))
            .ValidationProblemAsync("results");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = new[] { "CDG" } }, results = 1 }))
            .ValidationProblemAsync("parameters.origin");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { }, results = 1 })).ValidationProblemAsync("parameters");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = "CDG" }, results = 1, ttlSeconds = 59 }))
            .ValidationProblemAsync("ttlSeconds");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = "CDG" }, results = 1, ttlSeconds = 86401 }))
            .ValidationProblemAsync("ttlSeconds");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = "CDG" }, results = new string('r', 2 * 1024 * 1024 + 1) }))
            .ValidationProblemAsync("results");
        await (await c.PutAsJsonAsync("/api/search-cache/flight", new { parameters = new { origin = "CDG" }, results = 1, extra = 1 }))
            .ValidationProblemAsync("extra");
        Assert.Equal(before, await api.AdminScalarAsync<long>(all));
    }
}

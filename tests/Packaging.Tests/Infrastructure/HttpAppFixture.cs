using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

/// <summary>
/// The HTTP app in-process (WebApplicationFactory) on a database of its own, recording which endpoint
/// routing matched for each request (the "Microsoft.AspNetCore.Routing.EndpointMatched" diagnostic), so a
/// test can tell a routing 404/405 from an answer of the app.
/// </summary>
public sealed class HttpAppFixture : IAsyncLifetime, IObserver<KeyValuePair<string, object?>>
{
    public const string MatchedEndpointItem = "packaging-tests.matched-endpoint";

    public TestDatabase Database { get; } = new();
    private WebApplicationFactory<Program>? _factory;
    private IDisposable? _subscription;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Fixture not initialized.");

    public static Dictionary<string, string?> Settings(TestDatabase db) => new()
    {
        ["TravelDb"] = db.Pooled,
        ["TravelDbDirect"] = db.Direct,
        ["Jwt:Issuer"] = "https://travelfunctions.test",
        ["Jwt:Audience"] = "travelfunctions-api",
        ["Jwt:SigningKey"] = "test-only-signing-key-" + Guid.NewGuid().ToString("N"),
        ["Auth:PermitsPerMinute"] = "100000",
    };

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var settings = Settings(Database);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (k, v) in settings) b.UseSetting(k, v);
        });
        _ = _factory.Server;
        _subscription = _factory.Services.GetRequiredService<DiagnosticListener>().Subscribe(this,
            (name, _, _) => name == "Microsoft.AspNetCore.Routing.EndpointMatched");
    }

    public async Task DisposeAsync()
    {
        _subscription?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Every endpoint of the started app (the pipeline is built, so the DI data source is complete).</summary>
    public IReadOnlyList<RouteEndpoint> Endpoints =>
        Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    public void OnNext(KeyValuePair<string, object?> e)
    {
        // Items survive the exception handler, which clears the endpoint before writing a problem.
        if (e.Value is HttpContext http) http.Items[MatchedEndpointItem] = http.GetEndpoint();
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }
}

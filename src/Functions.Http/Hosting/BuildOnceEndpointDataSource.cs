using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Hosting;

/// <summary>
/// Builds the app's endpoints once. ASP.NET Core's route data sources build new endpoints on every read of
/// <see cref="Endpoints"/>, and two readers exist at startup (the authorization policy cache and the routing
/// middleware each hold their own composite), so without this every endpoint (metadata, JSON contracts,
/// filter pipeline, request delegate) was built twice at start (bench/coldstart.sh). The set is fixed after startup.
/// </summary>
public sealed class BuildOnceEndpointDataSource(IReadOnlyList<EndpointDataSource> sources) : EndpointDataSource
{
    private readonly Lazy<IReadOnlyList<Endpoint>> _endpoints = new(() => sources.SelectMany(s => s.Endpoints).ToArray());

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints.Value;

    public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;

    /// <summary>Replaces the app's data sources with one that builds them once. Call after the last Map….</summary>
    public static void BuildEndpointsOnce(IEndpointRouteBuilder app)
    {
        var sources = app.DataSources.ToArray();
        app.DataSources.Clear();
        app.DataSources.Add(new BuildOnceEndpointDataSource(sources));
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TravelFunctions.Data.Connections;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the data sources for the TravelDb (pooled) and TravelDbDirect (direct) settings and the
    /// transaction runner. Both accept Neon's URI form and Npgsql's key=value form.
    /// </summary>
    public static IServiceCollection AddTravelData(this IServiceCollection services, IConfiguration config)
    {
        DapperSetup.Configure();
        services.AddSingleton(_ => new TravelDataSources(config["TravelDb"], config["TravelDbDirect"]));
        services.AddSingleton<Db>();
        return services;
    }
}

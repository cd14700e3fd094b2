using TravelFunctions.Data.Sharing;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Sharing;

public static class SharingRegistration
{
    public static IServiceCollection AddSharing(this IServiceCollection services) =>
        services.AddJsonContracts(SharingJson.Default).AddSingleton<ShareLinkStore>();
}

using TravelFunctions.Data.Planning;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Planning;

public static class PlanningRegistration
{
    public static IServiceCollection AddPlanning(this IServiceCollection services) =>
        services.AddJsonContracts(PlanningJson.Default).AddSingleton<PlanningJobStore>();
}

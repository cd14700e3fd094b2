using FluentValidation;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Users;

public static class UsersServiceCollectionExtensions
{
    public static IServiceCollection AddUsers(this IServiceCollection services) =>
        services.AddJsonContracts(UsersJson.Default)
            .AddSingleton<UserStore>()
            .AddSingleton<UserExport>()
            .AddSingleton<IValidator<RegisterRequest>, RegisterRequestValidator>()
            .AddSingleton<IValidator<UpdateUserRequest>, UpdateUserRequestValidator>();
}

using FluentValidation;
using TravelFunctions.Data.Users;

namespace TravelFunctions.Http.Users;

public static class UsersServiceCollectionExtensions
{
    public static IServiceCollection AddUsers(this IServiceCollection services) =>
        services.AddSingleton<UserStore>()
            .AddSingleton<UserExport>()
            .AddSingleton<IValidator<RegisterRequest>, RegisterRequestValidator>()
            .AddSingleton<IValidator<UpdateUserRequest>, UpdateUserRequestValidator>();
}

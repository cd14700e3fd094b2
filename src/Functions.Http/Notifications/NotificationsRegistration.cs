using TravelFunctions.Data.Notifications;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Notifications;

public static class NotificationsRegistration
{
    public static IServiceCollection AddNotifications(this IServiceCollection services) =>
        services.AddJsonContracts(NotificationsJson.Default).AddSingleton<NotificationStore>();
}

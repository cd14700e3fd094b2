using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TravelFunctions.LocalHost.Http;

/// <summary>Every request on the host's HTTP port: admin endpoints, else the HTTP function whose route
/// matches (404 when none does).</summary>
internal sealed class FrontDoor(RouteTable routes, HttpFunctionInvoker? functions, AdminEndpoints admin)
{
    public Task HandleAsync(HttpContext context)
    {
        if (AdminEndpoints.Handles(context.Request.Path)) return admin.HandleAsync(context);

        var routeValues = new RouteValueDictionary();
        if (functions is null || routes.Match(context, routeValues) is not { } function)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return functions.InvokeAsync(context, function, routeValues);
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>304 Not Modified (no body): the client's copy, named by If-None-Match, is current.</summary>
public sealed class NotModified : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public static NotModified Instance { get; } = new();

    public int? StatusCode => StatusCodes.Status304NotModified;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}

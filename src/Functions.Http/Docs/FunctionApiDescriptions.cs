using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Docs;

/// <summary>
/// Describes every HTTP function to ASP.NET Core's API explorer (which the OpenAPI generator reads), from what the
/// functions really are: name, route and methods from the Worker SDK's generated metadata; route values, query
/// records (<see cref="IQueryRecord{TSelf}"/>) and the <c>[JsonBody]</c> from the method's parameters; responses
/// from its typed-result return type, as minimal APIs describe theirs. Minimal APIs' own describer cannot see
/// worker functions: they are not endpoints of this process.
/// </summary>
public sealed class FunctionApiDescriptions(IFunctionMetadataProvider functions, IHostEnvironment environment) : IApiDescriptionProvider
{
    private static readonly ModelMetadataProvider Metadata = new EmptyModelMetadataProvider();

    // After the built-in describers, which find nothing here.
    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        foreach (var function in HttpFunction.All(functions, environment))
        {
            if (function.Method.GetCustomAttribute<ExcludeFromDescriptionAttribute>() is not null) continue;
            foreach (var httpMethod in function.Methods)
                context.Results.Add(Describe(function, httpMethod));
        }
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context) { }

    private static ApiDescription Describe(HttpFunction function, string httpMethod)
    {
        var method = function.Method;
        var tag = method.DeclaringType!.Namespace![(method.DeclaringType.Namespace!.LastIndexOf('.') + 1)..];
        var action = new ActionDescriptor
        {
            DisplayName = function.Name,
            RouteValues = { ["controller"] = tag },
            EndpointMetadata = [new EndpointNameMetadata(function.Name), new TagsAttribute(tag), .. method.GetCustomAttributes(inherit: true)],
        };
        var description = new ApiDescription { HttpMethod = httpMethod, RelativePath = function.Route, ActionDescriptor = action };

        var pattern = RoutePatternFactory.Parse(function.Route);
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<JsonBodyAttribute>() is not null)
            {
                description.ParameterDescriptions.Add(Parameter(parameter.Name!, parameter.ParameterType, BindingSource.Body));
                description.SupportedRequestFormats.Add(new ApiRequestFormat { MediaType = "application/json" });
                if (parameter.ParameterType.IsAssignableTo(typeof(IMergePatch)))
                    description.SupportedRequestFormats.Add(new ApiRequestFormat { MediaType = MergePatch.MediaType });
            }
            else if (pattern.GetParameter(parameter.Name!) is not null)
                description.ParameterDescriptions.Add(Parameter(parameter.Name!, parameter.ParameterType, BindingSource.Path));
            else if (RequestParts.QueryOf(parameter.ParameterType) is { } query)
            {
                foreach (var q in query) description.ParameterDescriptions.Add(Parameter(q.Name, q.Type, BindingSource.Query));
                action.EndpointMetadata.Add(new ParameterTexts(query.ToDictionary(q => q.Name, q => q.Description)));
            }
            else if (RequestParts.HeaderOf(parameter.ParameterType) is { } header)
            {
                description.ParameterDescriptions.Add(Parameter(header.Name, typeof(string), BindingSource.Header));
                action.EndpointMetadata.Add(new ParameterTexts(new Dictionary<string, string> { [header.Name] = header.Description }));
            }
        }
        foreach (var response in Responses(method))
            description.SupportedResponseTypes.Add(response);
        return description;
    }

    private static ApiParameterDescription Parameter(string name, Type type, BindingSource source) => new()
    {
        Name = name,
        Type = type,
        Source = source,
        ModelMetadata = Metadata.GetMetadataForType(type),
        IsRequired = source == BindingSource.Path || source == BindingSource.Body,
    };

    /// <summary>What the typed results in the return type say they produce (Ok&lt;T&gt; → 200 T, ValidationProblem → 400 …).</summary>
    private static IEnumerable<ApiResponseType> Responses(MethodInfo method)
    {
        var builder = new RouteEndpointBuilder(null, RoutePatternFactory.Parse("/"), 0);
        var result = method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() is var generic
            && (generic == typeof(Task<>) || generic == typeof(ValueTask<>)) ? method.ReturnType.GetGenericArguments()[0] : method.ReturnType;
        if (typeof(IEndpointMetadataProvider).IsAssignableFrom(result))
            PopulateMethod.MakeGenericMethod(result).Invoke(null, [method, builder]);
        foreach (var produces in builder.Metadata.OfType<IProducesResponseTypeMetadata>())
        {
            var type = produces.Type ?? typeof(void);
            var response = new ApiResponseType { StatusCode = produces.StatusCode, Type = type, ModelMetadata = Metadata.GetMetadataForType(type) };
            foreach (var contentType in produces.ContentTypes) response.ApiResponseFormats.Add(new ApiResponseFormat { MediaType = contentType });
            yield return response;
        }
    }

    private static readonly MethodInfo PopulateMethod = typeof(FunctionApiDescriptions).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static void Populate<T>(MethodInfo method, EndpointBuilder builder) where T : IEndpointMetadataProvider =>
        T.PopulateMetadata(method, builder);
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace TravelFunctions.Http.Infrastructure;

public static class ApiJson
{
    /// <summary>
    /// camelCase JSON, snake_case enum values ("car_rental"), and strictness that turns every
    /// malformed body into a 400: unknown or repeated members (also inside free JSON such as metadata), numbers in
    /// strings, nulls for non-nullable members, date-times without their offset.
    /// </summary>
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.RespectNullableAnnotations = true;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.AllowTrailingCommas = false;
        o.ReadCommentHandling = JsonCommentHandling.Disallow;
        o.MaxDepth = 32;
        // {"role": "user", "role": "agent"}: which one counts would depend on the reader; refuse instead.
        o.AllowDuplicateProperties = false;
        // Every DateTimeOffset the API reads carries its offset: "2025-06-01T09:30:00" would mean server-local time.
        o.Converters.Add(new OffsetDateTimeConverter());
    }

    /// <summary>
    /// Puts a feature's source-generated contract metadata ahead of reflection in the API's JSON options. The
    /// settings above still apply (they are read at run time); reflection stays last, as the fallback.
    /// </summary>
    public static IServiceCollection AddJsonContracts(this IServiceCollection services, JsonSerializerContext contracts) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, contracts));

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }

    /// <summary>"$.destinations[0].country" → "destinations[0].country".</summary>
    public static string FieldFromPath(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.") ? path[2..] : path.TrimStart('$');
}

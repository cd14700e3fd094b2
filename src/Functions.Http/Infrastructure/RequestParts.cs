using System.Reflection;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>What the typed request parts (query records, header types) of a function say about themselves.</summary>
public static class RequestParts
{
    /// <summary>The query parameters a query record reads; null for other types.</summary>
    public static IReadOnlyList<QueryParameter>? QueryOf(Type type) =>
        Implements(type, typeof(IQueryRecord<>))
            ? (IReadOnlyList<QueryParameter>)Generic(nameof(DescribeQuery), type).Invoke(null, null)!
            : null;

    /// <summary>The header a header type reads; null for other types.</summary>
    public static (string Name, string Description)? HeaderOf(Type type) =>
        Implements(type, typeof(IRequestHeader<>))
            ? ((string, string))Generic(nameof(DescribeHeader), type).Invoke(null, null)!
            : null;

    private static IReadOnlyList<QueryParameter> DescribeQuery<T>() where T : IQueryRecord<T> => QueryReader.Describe<T>();

    private static (string, string) DescribeHeader<T>() where T : IRequestHeader<T> => (T.HeaderName, T.Description);

    private static bool Implements(Type type, Type generic) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);

    private static MethodInfo Generic(string name, Type type) =>
        typeof(RequestParts).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
}

using System.Text.Json;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// A PATCH body read as a JSON Merge Patch (RFC 7396, <c>application/merge-patch+json</c>; plain
/// <c>application/json</c> means the same): a member left out leaves the value as it is, a member set to
/// <c>null</c> clears it, anything else sets it. The record's nullable properties carry the values; <see cref="Sent"/>
/// says which members the client wrote, as paths ("description", "preferences/seat"), so null and absent differ.
/// </summary>
public interface IMergePatch
{
    IReadOnlySet<string> Sent { get; }

    /// <summary>The same patch, knowing which members were sent ([JsonBody] calls it once, after reading the body).</summary>
    IMergePatch WithSent(IReadOnlySet<string> sent);
}

public static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static readonly IReadOnlySet<string> Nothing = new HashSet<string>();

    /// <summary>The 400 for null on a member the resource cannot be without.</summary>
    public const string CannotClear = "'{PropertyName}' cannot be cleared (null); leave it out to keep its value.";

    /// <summary>True when the member was sent as null: clear it.</summary>
    public static bool Clears(this IMergePatch patch, string path, object? value) => value is null && patch.Sent.Contains(path);

    /// <summary>The member paths of a JSON object, nested objects included (arrays are values: replaced whole).</summary>
    public static IReadOnlySet<string> MembersOf(JsonElement body)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        Collect(body, "", members);
        return members;
    }

    private static void Collect(JsonElement element, string prefix, HashSet<string> members)
    {
        if (element.ValueKind != JsonValueKind.Object) return;
        foreach (var property in element.EnumerateObject())
        {
            var path = prefix + property.Name;
            members.Add(path);
            Collect(property.Value, path + "/", members);
        }
    }
}

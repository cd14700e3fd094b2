namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Checks blob metadata before it becomes x-ms-meta-* headers, so a bad name or value fails here with its name rather than
/// as a 400 from the service or, worse, silently changed: names must be C# identifiers (the service's rule), compared
/// case-insensitively; values printable ASCII without leading/trailing whitespace (HTTP would trim or reject anything else).
/// </summary>
public static class BlobMetadata
{
    public static void Validate(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in metadata)
        {
            if (!IsIdentifier(name))
                throw new ArgumentException($"Blob metadata name '{name}' must be an ASCII C# identifier (letters, digits, '_', not starting with a digit).", nameof(metadata));
            if (!seen.Add(name))
                throw new ArgumentException($"Blob metadata name '{name}' appears twice (names are case-insensitive).", nameof(metadata));
            ArgumentNullException.ThrowIfNull(value, $"metadata[{name}]");
            if (value.Length > 0 && (value[0] == ' ' || value[^1] == ' ') || value.Any(c => c < 0x20 || c > 0x7E))
                throw new ArgumentException($"Blob metadata value of '{name}' must be printable ASCII without leading or trailing spaces.", nameof(metadata));
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

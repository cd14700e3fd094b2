namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Orders canonicalized x-ms- header names for Shared Key signing the way the services compare them.
/// The docs say "lexicographically", but the storage service sorts culture-aware (.NET en-US) and Azurite
/// uses JavaScript's localeCompare (ICU): both put punctuation before digits before letters, so
/// "x-ms-meta-foo_bar" sorts before "x-ms-meta-foo2_bar", where ordinal order puts it after (signature mismatch).
/// <para>
/// <c>StringComparer.InvariantCulture</c> cannot be used: this repository builds with InvariantGlobalization=true,
/// under which culture comparisons are ordinal. So the collation is spelled out for printable ASCII, which is all
/// a header name may contain (metadata names are further restricted to C# identifiers by <see cref="BlobMetadata"/>).
/// </para>
/// </summary>
public sealed class SharedKeyHeaderComparer : IComparer<string>
{
    public static SharedKeyHeaderComparer Instance { get; } = new();

    // Printable ASCII in ICU root collation order (measured with node's localeCompare, as Azurite sorts).
    // Letters are case-folded (names are lowercased before sorting anyway).
    private const string Order = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly int[] Weights = BuildWeights();

    private static int[] BuildWeights()
    {
        var weights = new int[128];
        for (var c = 0; c < 128; c++) weights[c] = -1;
        for (var i = 0; i < Order.Length; i++) weights[Order[i]] = i + 1;
        for (var c = 'A'; c <= 'Z'; c++) weights[c] = weights[char.ToLowerInvariant(c)];
        return weights;
    }

    private static int Weight(char c) => c < 128 && Weights[c] >= 0 ? Weights[c] : 1000 + c;

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            var d = Weight(x[i]) - Weight(y[i]);
            if (d != 0) return d;
        }
        var byLength = x.Length - y.Length;
        return byLength != 0 ? byLength : string.CompareOrdinal(x, y);
    }
}

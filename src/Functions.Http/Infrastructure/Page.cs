using TravelFunctions.Data.Paging;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>A page of a list and the opaque cursor of the next one (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Pages
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>
    /// The page from the rows a store read for <paramref name="request"/> (one more than the page holds when
    /// another page follows), with the cursor of the last row it keeps.
    /// </summary>
    public static Page<TItem> From<TRow, TItem, TKey>(IReadOnlyList<TRow> rows, PageRequest<TKey> request,
        Func<TRow, TItem> item, Func<TRow, Keyset<TKey>> key) where TKey : struct, IFormattable, IParsable<TKey>
    {
        var count = Math.Min(rows.Count, request.Limit);
        var items = new List<TItem>(count);
        for (var i = 0; i < count; i++) items.Add(item(rows[i]));
        var next = rows.Count > request.Limit ? KeysetCursor.Encode(key(rows[count - 1])) : null;
        return new Page<TItem>(items, next);
    }
}

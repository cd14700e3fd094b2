namespace TravelFunctions.Data.Paging;

/// <summary>
/// A keyset (cursor) position: the sort value and id of the last row of the previous page. Lists order by
/// (sort value, id) and continue strictly after it, so pages never skip or repeat rows while others write.
/// </summary>
public readonly record struct Keyset<T>(T Value, Guid Id) where T : struct;

/// <summary>One page of a list: at most <see cref="Limit"/> rows after <see cref="After"/> (none: from the start).</summary>
public sealed record PageRequest<T>(int Limit, Keyset<T>? After) where T : struct
{
    /// <summary>Stores read one row more than the page holds, to know whether another page follows.</summary>
    public int Take => Limit + 1;
}

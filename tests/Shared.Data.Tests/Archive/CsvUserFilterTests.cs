using System.Text;
using TravelFunctions.Data.Archive;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>The erasure filter finds records and the user id field as PostgreSQL writes CSV, wherever the chunks are cut.</summary>
public sealed class CsvUserFilterTests
{
    private static readonly Guid Erased = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Kept = Guid.Parse("22222222-2222-2222-2222-222222222222");

    // Header, then records whose other fields hold quotes, commas and newlines (before and after the user id), a NULL user.
    private static readonly string Csv =
        "id,note,user_id,data\n" +
        $"1,\"a, \"\"quoted\"\"\nline\",{Erased},\"{{\"\"k\"\": \"\"v,\n\"\"}}\"\n" +
        $"2,plain,{Kept},\n" +
        "3,\"no user\",,\"x\"\n" +
        $"4,\"\",{Erased},\"\"\"\"\n" +
        $"5,\"ünïcødé ✈\",{Kept},\"{{}}\"\n";

    private static readonly string Expected =
        "id,note,user_id,data\n" +
        $"2,plain,{Kept},\n" +
        "3,\"no user\",,\"x\"\n" +
        $"5,\"ünïcødé ✈\",{Kept},\"{{}}\"\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(4096)]
    public async Task Drops_exactly_the_erased_users_records_byte_for_byte(int chunk)
    {
        var output = new MemoryStream();
        var filter = new CsvUserFilter(2, new HashSet<Guid> { Erased }, (bytes, ct) => output.WriteAsync(bytes, ct));
        var input = Encoding.UTF8.GetBytes(Csv);
        for (var i = 0; i < input.Length; i += chunk)
            await filter.WriteAsync(input.AsMemory(i, Math.Min(chunk, input.Length - i)), default);
        filter.Complete();

        Assert.Equal(Expected, Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal((3L, 2L), (filter.Kept, filter.Removed));
        Assert.Equal([Erased], filter.RemovedUsers);
    }

    [Fact]
    public async Task A_stream_cut_inside_a_record_is_refused()
    {
        var filter = new CsvUserFilter(2, new HashSet<Guid> { Erased }, (_, _) => ValueTask.CompletedTask);
        await filter.WriteAsync(Encoding.UTF8.GetBytes(Csv[..^3]), default);
        Assert.Throws<InvalidDataException>(filter.Complete);
    }
}

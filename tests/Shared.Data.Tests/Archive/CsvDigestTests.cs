using System.Security.Cryptography;
using System.Text;
using TravelFunctions.Data.Archive;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>The record count and hash do not depend on how the bytes are cut into chunks.</summary>
public sealed class CsvDigestTests
{
    // The plain definition: a newline ends a record unless an odd number of quotes came before it.
    private static (long Records, bool InQuotes) Reference(byte[] csv)
    {
        long records = 0;
        var inQuotes = false;
        foreach (var b in csv)
        {
            if (b == '"') inQuotes = !inQuotes;
            else if (b == '\n' && !inQuotes) records++;
        }
        return (records, inQuotes);
    }

    private static byte[] RandomCsv(int seed, int rows)
    {
        var random = new Random(seed);
        var fields = new[] { "plain", "\"quoted, with comma\"", "\"json {\"\"k\"\": \"\"v\"\"}\"", "\"multi\nline\r\nfield\"", "", "\"\"", "ünïcødé ✈" };
        var sb = new StringBuilder("id,a,b,c\n");
        for (var r = 0; r < rows; r++)
            sb.Append(r).Append(',').AppendJoin(',', Enumerable.Range(0, 3).Select(_ => fields[random.Next(fields.Length)])).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 63)]
    [InlineData(4, 64)]
    [InlineData(5, 65)]
    [InlineData(6, 4096)]
    [InlineData(7, 0)]  // random chunk sizes
    public void Counts_records_and_hashes_the_same_whatever_the_chunks(int seed, int chunk)
    {
        var csv = RandomCsv(seed, 3000);
        var random = new Random(seed);
        using var digest = new CsvDigest();
        for (var at = 0; at < csv.Length;)
        {
            var n = Math.Min(chunk > 0 ? chunk : random.Next(1, 300), csv.Length - at);
            digest.Append(csv.AsSpan(at, n));
            at += n;
        }

        var (records, inQuotes) = Reference(csv);
        Assert.Equal(3001, records);
        Assert.Equal(records, digest.Records);
        Assert.Equal(3000, digest.DataRows);
        Assert.Equal(!inQuotes, digest.EndedCleanly);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(csv)), digest.Sha256Hex);
        Assert.Equal(csv.Length, digest.Bytes);
    }

    [Fact]
    public void Every_prefix_of_a_stream_says_whether_it_was_cut_inside_a_quoted_field()
    {
        var csv = RandomCsv(8, 60);
        for (var length = 0; length <= csv.Length; length++)
        {
            using var digest = new CsvDigest();
            digest.Append(csv.AsSpan(0, length));
            var (records, inQuotes) = Reference(csv[..length]);
            Assert.Equal(records, digest.Records);
            Assert.Equal(!inQuotes, digest.EndedCleanly);
        }
        using var cut = new CsvDigest();
        cut.Append(Encoding.UTF8.GetBytes("id,a\n1,\"open field, never closed\n2,x\n"));
        Assert.False(cut.EndedCleanly);
        Assert.Equal(1, cut.Records);
    }
}

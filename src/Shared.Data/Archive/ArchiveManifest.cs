using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using TravelFunctions.Data.Partitions;

namespace TravelFunctions.Data.Archive;

/// <summary>
/// The commit marker of one archived partition, written last as `{table}/{yyyy}/{MM}/{partition}.manifest.json`.
/// An archive without its manifest is incomplete; one with a manifest is complete and verified.
/// </summary>
public sealed record ArchiveManifest
{
    public const string CsvGzipFormat = "csv+gzip";

    public required string Table { get; init; }
    public required string Schema { get; init; }
    public required string Partition { get; init; }
    public required string PartitionKey { get; init; }
    /// <summary>Inclusive lower bound of the partition.</summary>
    public required DateTimeOffset RangeFrom { get; init; }
    /// <summary>Exclusive upper bound of the partition.</summary>
    public required DateTimeOffset RangeTo { get; init; }
    public required IReadOnlyList<ColumnInfo> Columns { get; init; }
    public required IReadOnlyList<string> OrderBy { get; init; }
    public required long RowCount { get; init; }
    /// <summary>Lower-case hex SHA-256 of the uncompressed CSV (header included).</summary>
    public required string Sha256 { get; init; }
    public required long CompressedBytes { get; init; }
    /// <summary>Base64 MD5 of the compressed blob (its Content-MD5).</summary>
    public required string CompressedMd5 { get; init; }
    public required string Blob { get; init; }
    public string Format { get; init; } = CsvGzipFormat;
    /// <summary>
    /// The erasures this archive reflects: it holds no row of a user in maintenance.erasures with seq up to this
    /// (0: none recorded, e.g. an archive written before the erasure ledger existed).
    /// </summary>
    public long ErasureWatermark { get; init; }
    /// <summary>How many times erasures rewrote the archive (0: as exported); the blob of generation g &gt; 0 is {partition}.g{g}.csv.gz.</summary>
    public int Generation { get; init; }
    /// <summary>Rows removed from the archive by erasures, over all its rewrites (RowCount is what is left).</summary>
    public long ErasedRows { get; init; }
    /// <summary>How to read the CSV: UTF-8, header row, NULL = unquoted empty field, timestamps ISO in UTC.</summary>
    public string Csv { get; init; } = "UTF-8; RFC 4180 quoting (PostgreSQL COPY csv); header row; NULL is an unquoted empty field; timestamptz in ISO format, UTC";
    public required DateTimeOffset CreatedAt { get; init; }
    public required string AppVersion { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, ArchiveManifestJson.Default.ArchiveManifest);

    public static ArchiveManifest FromJson(string json) =>
        JsonSerializer.Deserialize(json, ArchiveManifestJson.Default.ArchiveManifest) ?? throw new InvalidDataException("Empty archive manifest.");

    /// <summary>
    /// True when <paramref name="storedJson"/> is a manifest of the same archive as <paramref name="manifest"/>: every
    /// field equal except when and by which version it was written. False for anything else, unreadable JSON included.
    /// </summary>
    public static bool DescribeSameArchive(string storedJson, ArchiveManifest manifest)
    {
        try
        {
            var stored = FromJson(storedJson);
            return (stored with { CreatedAt = manifest.CreatedAt, AppVersion = manifest.AppVersion }).ToJson() == manifest.ToJson();
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return false;
        }
    }

    public static string CurrentAppVersion { get; } =
        typeof(ArchiveManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ArchiveManifest).Assembly.GetName().Version?.ToString() ?? "unknown";
}

/// <summary>
/// The manifest's JSON (camelCase, indented), generated at compile time: the archive run serializes one manifest,
/// and warming up the reflection serializer for it took longer than writing the blob.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ArchiveManifest))]
internal sealed partial class ArchiveManifestJson : JsonSerializerContext;

/// <summary>Blob names of an archived partition: `{table}/{yyyy}/{MM}/{partition}.csv.gz` and its manifest.</summary>
public static class ArchiveBlobNames
{
    public static string Prefix(string table, DateTimeOffset rangeFrom)
    {
        var u = rangeFrom.ToUniversalTime();
        return $"{table}/{u.Year:D4}/{u.Month:D2}/";
    }

    public static string Data(string table, string partition, DateTimeOffset rangeFrom) => Prefix(table, rangeFrom) + partition + ".csv.gz";

    public static string Manifest(string table, string partition, DateTimeOffset rangeFrom) => Prefix(table, rangeFrom) + partition + ".manifest.json";

    /// <summary>The data blob of an archive rewritten by erasures for the <paramref name="generation"/>-th time (&gt; 0).</summary>
    public static string Rewritten(string table, string partition, DateTimeOffset rangeFrom, int generation) =>
        Prefix(table, rangeFrom) + partition + $".g{generation}.csv.gz";
}

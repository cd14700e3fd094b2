using System.Security.Cryptography;

namespace TravelFunctions.Data.ProviderKeys;

/// <summary>A key-encryption key and its id: the first 8 bytes of its SHA-256 in hex, stored per row as kek_id.</summary>
public sealed class KeyEncryptionKey
{
    private KeyEncryptionKey(byte[] key)
    {
        Key = key;
        Id = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    public string Id { get; }
    internal byte[] Key { get; }

    public static KeyEncryptionKey? TryParse(string base64)
    {
        var buffer = new byte[32];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == 32 ? new KeyEncryptionKey(buffer) : null;
    }

    public static KeyEncryptionKey Parse(string base64, string setting) =>
        TryParse(base64) ?? throw new InvalidOperationException($"{setting} must be 32 bytes in base64.");
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.ProviderKeys;

/// <summary>What the database keeps of a provider key: sealed under a data key that is wrapped under a KEK.</summary>
public sealed record SealedKey(byte[] SecretSealed, byte[] DataKeyWrapped, string KekId);

/// <summary>
/// Envelope encryption with AES-256-GCM. Each provider key gets its own random data key; the data key is wrapped under
/// the current KEK. Both layers take the row's identity (id, user, service) as associated data, so a sealed value
/// copied to another row or user does not open. Rotating the KEK re-wraps 60-byte data keys and never touches the
/// sealed secrets. A KEK the ring does not hold cannot open anything: the job and the API say which kek_id is missing.
/// </summary>
public sealed class ProviderKeyCipher
{
    private const int NonceSize = 12, TagSize = 16, DataKeySize = 32;
    private readonly Lazy<(KeyEncryptionKey Current, KeyEncryptionKey? Previous)> _keys;

    // Read (and validated) on first use, not when built: the ops command line lists jobs without every job's settings.
    public ProviderKeyCipher(IOptions<ProviderKeyOptions> options) => _keys = new(() =>
    (
        KeyEncryptionKey.Parse(options.Value.CurrentKey, "ProviderKeys:CurrentKey"),
        options.Value.PreviousKey.Length > 0 ? KeyEncryptionKey.Parse(options.Value.PreviousKey, "ProviderKeys:PreviousKey") : null
    ));

    private KeyEncryptionKey Current => _keys.Value.Current;
    private KeyEncryptionKey? Previous => _keys.Value.Previous;

    public string CurrentKekId => Current.Id;
    public string? PreviousKekId => Previous?.Id;

    public SealedKey Seal(Guid id, Guid userId, string service, string secret)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeySize);
        try
        {
            var aad = AssociatedData(id, userId, service);
            return new SealedKey(Encrypt(dataKey, Encoding.UTF8.GetBytes(secret), aad), Encrypt(Current.Key, dataKey, aad), Current.Id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public string Open(Guid id, Guid userId, string service, SealedKey key)
    {
        var aad = AssociatedData(id, userId, service);
        var dataKey = Decrypt(Kek(key.KekId).Key, key.DataKeyWrapped, aad);
        try
        {
            return Encoding.UTF8.GetString(Decrypt(dataKey, key.SecretSealed, aad));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The data key wrapped under the current KEK instead of the one it was wrapped under.</summary>
    public (byte[] DataKeyWrapped, string KekId) Rewrap(Guid id, Guid userId, string service, byte[] dataKeyWrapped, string kekId)
    {
        var aad = AssociatedData(id, userId, service);
        var dataKey = Decrypt(Kek(kekId).Key, dataKeyWrapped, aad);
        try
        {
            return (Encrypt(Current.Key, dataKey, aad), Current.Id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private KeyEncryptionKey Kek(string kekId) =>
        kekId == Current.Id ? Current
        : Previous is { } p && kekId == p.Id ? p
        : throw new UnknownKekException(kekId);

    private static byte[] AssociatedData(Guid id, Guid userId, string service) => Encoding.UTF8.GetBytes($"{id:N}/{userId:N}/{service}");

    private static byte[] Encrypt(byte[] key, byte[] plaintext, byte[] aad)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, TagSize);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), aad);
        return output;
    }

    private static byte[] Decrypt(byte[] key, byte[] sealedValue, byte[] aad)
    {
        var length = sealedValue.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var gcm = new AesGcm(key, TagSize);
        gcm.Decrypt(sealedValue.AsSpan(0, NonceSize), sealedValue.AsSpan(NonceSize, length), sealedValue.AsSpan(NonceSize + length), plaintext, aad);
        return plaintext;
    }
}

/// <summary>A row's kek_id is neither the current nor the previous KEK: a rotation dropped the previous key too early.</summary>
public sealed class UnknownKekException(string kekId)
    : Exception($"Provider key wrapped under KEK {kekId}, which is neither ProviderKeys:CurrentKey nor ProviderKeys:PreviousKey.")
{
    public string KekId { get; } = kekId;
}

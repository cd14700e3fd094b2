using TravelFunctions.Data.ProviderKeys;

namespace TravelFunctions.Http.ProviderKeys;

public sealed record ProviderServiceResponse(string Name, string DisplayName)
{
    public static ProviderServiceResponse From(ProviderServiceRow s) => new(s.Name, s.DisplayName);
}

/// <summary>POST /api/users/me/provider-keys: the key is stored sealed and never shown again.</summary>
public sealed record AddProviderKeyRequest(string? Service, string? Label, string? Key);

/// <summary>A stored key as its owner sees it: never the key, only its last four characters.</summary>
public sealed record ProviderKeyResponse(Guid Id, string Service, string Label, string LastFour, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static ProviderKeyResponse From(ProviderKeyRow k) => new(k.Id, k.Service, k.Label, k.LastFour, k.CreatedAt, k.LastUsedAt);
}

/// <summary>POST /api/users/me/provider-key-grants: lets one agent client use my keys for one service.</summary>
public sealed record GrantRequest(Guid? AgentClientId, string? Service);

public sealed record GrantResponse(Guid AgentClientId, string Service, DateTimeOffset CreatedAt)
{
    public static GrantResponse From(ProviderKeyGrantRow g) => new(g.AgentClientId, g.Service, g.CreatedAt);
}

public sealed record KeyUseResponse(Guid Id, Guid? KeyId, Guid AgentClientId, string Service, string Label, DateTimeOffset UsedAt)
{
    public static KeyUseResponse From(ProviderKeyUseRow u) => new(u.Id, u.KeyId, u.AgentClientId, u.Service, u.Label, u.UsedAt);
}

/// <summary>POST /api/agents/provider-keys/use: an agent asks for a traveller's key for one call (label: which of several).</summary>
public sealed record UseProviderKeyRequest(Guid? UserId, string? Service, string? Label);

public sealed record UseProviderKeyResponse(Guid KeyId, string Service, string Label, string Key);

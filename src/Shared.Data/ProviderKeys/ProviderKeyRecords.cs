namespace TravelFunctions.Data.ProviderKeys;

/// <summary>What a traveller sees of a stored key: never the key, only its last four characters.</summary>
public sealed record ProviderKeyRow(Guid Id, string Service, string Label, string LastFour, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

public sealed record ProviderServiceRow(string Name, string DisplayName);

public sealed record ProviderKeyGrantRow(Guid AgentClientId, string Service, DateTimeOffset CreatedAt);

public sealed record ProviderKeyUseRow(Guid Id, Guid? KeyId, Guid AgentClientId, string Service, string Label, DateTimeOffset UsedAt);

public abstract record KeyCreation
{
    public sealed record Created(ProviderKeyRow Key) : KeyCreation;
    public sealed record Duplicate : KeyCreation;
    public sealed record UnknownService : KeyCreation;
}

public abstract record GrantCreation
{
    public sealed record Created(ProviderKeyGrantRow Grant) : GrantCreation;
    public sealed record AlreadyGranted(ProviderKeyGrantRow Grant) : GrantCreation;
    public sealed record UnknownAgent : GrantCreation;
    public sealed record UnknownService : GrantCreation;
}

/// <summary>An agent's use of a traveller's key: the key itself, for one call, or nothing (which of the checks failed stays unsaid).</summary>
public abstract record KeyUse
{
    public sealed record Granted(Guid KeyId, string Service, string Label, string Secret) : KeyUse;
    public sealed record NotAvailable : KeyUse;
}

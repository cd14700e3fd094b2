namespace TravelFunctions.Data.Archive;

/// <summary>
/// Points in the archive of one partition where a crash may happen, in order. The test seam
/// (<see cref="IArchiveStepHook"/>) is called at each; production passes none.
/// </summary>
public enum ArchiveStep
{
    /// <summary>The data blob is committed in the store; the ledger still says 'exporting'.</summary>
    Uploaded,
    /// <summary>The ledger says 'uploaded'.</summary>
    UploadRecorded,
    /// <summary>The ledger says 'verified'.</summary>
    Verified,
    /// <summary>The manifest blob is committed; the ledger still says 'verified'.</summary>
    ManifestWritten,
    /// <summary>The ledger says 'manifested'.</summary>
    Manifested,
    /// <summary>The partition is detached and the ledger says 'detached' (one transaction).</summary>
    Detached,
    /// <summary>The partition is dropped and the ledger says 'dropped' (one transaction).</summary>
    Dropped,
}

/// <summary>Test seam: called after each <see cref="ArchiveStep"/>; throwing (or never returning) simulates a crash there.</summary>
public interface IArchiveStepHook
{
    Task AfterAsync(ArchiveStep step, string partition, CancellationToken cancellationToken);
}

/// <summary>Adapts a delegate to <see cref="IArchiveStepHook"/>.</summary>
public sealed class ArchiveStepHook(Func<ArchiveStep, string, CancellationToken, Task> after) : IArchiveStepHook
{
    public Task AfterAsync(ArchiveStep step, string partition, CancellationToken cancellationToken) => after(step, partition, cancellationToken);
}

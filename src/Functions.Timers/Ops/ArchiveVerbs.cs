namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers archive list | restore …`: implemented by Ops/ArchiveCommand.cs (partitions branch).
/// Until that lands this build says so and exits 2; it never pretends to have done anything.
/// </summary>
public static class ArchiveVerbs
{
    public static Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter stderr) =>
        NotInThisBuild(stderr); // LEAD AT MERGE: replace this line with:  ArchiveCommand.RunAsync(args, services);

    private static Task<int> NotInThisBuild(TextWriter stderr)
    {
        stderr.WriteLine("archive verbs: not in this build");
        return Task.FromResult(2);
    }
}

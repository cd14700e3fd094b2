namespace TravelFunctions.Timers.Ops;

/// <summary>`Functions.Timers archive list | restore …`: see Ops/ArchiveCommand.cs.</summary>
public static class ArchiveVerbs
{
    public static Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter stderr) =>
        ArchiveCommand.RunAsync(args, services);
}

using System.Runtime.InteropServices;
using TravelFunctions.LocalHost;

// Runs a function app's build output or package under the local Functions host until Ctrl-C.
CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

// Ctrl-C and SIGTERM stop the host in order (the worker gets WorkerTerminate) instead of ending the process outright.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; stop.Cancel(); });
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.Cancel(); });

await using var host = await FunctionsLocalHost.StartAsync(new LocalHostOptions
{
    AppDirectory = command.AppDirectory,
    Settings = LocalSettings.Read(command.SettingsFile),
    Port = command.Port,
    RunSchedules = command.RunSchedules,
    Output = Console.WriteLine,
}, stop.Token);

Console.WriteLine();
Console.WriteLine("Functions:");
foreach (var function in host.Functions)
{
    var where = function.IsHttp
        ? $"[{(function.Methods.Count == 0 ? "ALL" : string.Join(",", function.Methods))}] {host.BaseAddress}{function.Route}"
        : function.IsTimer ? $"timer '{function.Schedule}' (UTC){(command.RunSchedules ? "" : ", schedules off")}" : function.TriggerType + " (not triggered here)";
    Console.WriteLine($"  {function.Name}: {where}");
}
Console.WriteLine($"Host status: {host.BaseAddress}admin/host/status. Ctrl-C stops.");

try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
return 0;

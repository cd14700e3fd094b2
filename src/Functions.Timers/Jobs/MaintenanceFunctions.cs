using Microsoft.Azure.Functions.Worker;

namespace TravelFunctions.Timers.Jobs;

/// <summary>
/// One timer function per maintenance job (DESIGN §2, §6). Schedules are the {Job}Schedule app settings (6-field
/// UTC NCRONTAB) that the host resolves; a failed run throws and the host tries it twice more, a minute apart.
/// The Worker SDK writes functions.metadata from these attributes.
/// </summary>
public sealed class MaintenanceFunctions(JobInvocation jobs)
{
    [Function("PartitionMaintenance")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task PartitionMaintenance([TimerTrigger("%PartitionMaintenanceSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("PartitionMaintenance", timer, context);

    [Function("ErasureRewrite")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task ErasureRewrite([TimerTrigger("%ErasureRewriteSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("ErasureRewrite", timer, context);

    [Function("CacheExpiry")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task CacheExpiry([TimerTrigger("%CacheExpirySchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("CacheExpiry", timer, context);

    [Function("AnalyzeTables")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task AnalyzeTables([TimerTrigger("%AnalyzeTablesSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("AnalyzeTables", timer, context);

    [Function("RetentionPurge")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task RetentionPurge([TimerTrigger("%RetentionPurgeSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("RetentionPurge", timer, context);

    [Function("RefreshReporting")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task RefreshReporting([TimerTrigger("%RefreshReportingSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("RefreshReporting", timer, context);

    [Function("NotificationReminders")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task NotificationReminders([TimerTrigger("%NotificationRemindersSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("NotificationReminders", timer, context);

    [Function("PlanningLeases")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task PlanningLeases([TimerTrigger("%PlanningLeasesSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("PlanningLeases", timer, context);

    [Function("ProviderKeyRewrap")]
    [FixedDelayRetry(2, "00:01:00")]
    public Task ProviderKeyRewrap([TimerTrigger("%ProviderKeyRewrapSchedule%")] TimerInfo timer, FunctionContext context) =>
        jobs.RunAsync("ProviderKeyRewrap", timer, context);
}

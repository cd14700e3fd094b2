using TravelFunctions.LocalHost.Timers;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

public sealed class TimerMathTests
{
    [Fact]
    public void The_timer_input_has_the_shape_of_the_hosts_TimerInfo()
    {
        Assert.Equal("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""", TimerInput.ToJson(null, false));

        var at = new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
            """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-29T10:00:00Z","Next":"2026-11-29T10:00:05Z","LastUpdated":"2026-11-29T10:00:00Z"},"IsPastDue":true}""",
            TimerInput.ToJson(new ScheduleStatus(at, at.AddSeconds(5), at), true));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 5)]
    [InlineData(40, 5)]
    public void Exponential_backoff_doubles_from_the_minimum_up_to_the_maximum(int retry, int seconds)
    {
        var policy = new RetryPolicy("exponentialBackoff", 5, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryingInvoker.Delay(policy, retry));
    }

    [Fact]
    public void Fixed_delay_waits_its_interval_every_time()
    {
        var policy = new RetryPolicy("fixedDelay", 2, TimeSpan.FromSeconds(10), null, null);

        Assert.Equal(TimeSpan.FromSeconds(10), RetryingInvoker.Delay(policy, 1));
        Assert.Equal(TimeSpan.FromSeconds(10), RetryingInvoker.Delay(policy, 2));
    }
}

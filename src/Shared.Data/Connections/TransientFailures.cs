using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// Which failures mean "the database is (briefly) unreachable", and the retry pipeline for work that
/// is safe to repeat: reads, and writes whose transaction did not commit.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        CommitOutcomeUnknownException => false,
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01",
        NpgsqlException npg => npg.IsTransient || npg.InnerException is SocketException or TimeoutException or IOException,
        TimeoutException or SocketException => true,
        _ => false,
    };

    /// <summary>True when the database cannot be reached at all (answer 503, not 500).</summary>
    public static bool IsUnavailable(Exception ex) => ex is DatabaseUnavailableException || ex is CommitOutcomeUnknownException
        || (IsTransient(ex) && ex is not PostgresException { SqlState: "40001" or "40P01" });

    /// <summary>Jittered exponential retries of what <paramref name="shouldRetry"/> accepts (default: transient failures).</summary>
    public static ResiliencePipeline CreateRetryPipeline(int maxRetries = 4, Func<Exception, bool>? shouldRetry = null,
        TimeSpan? delay = null, TimeSpan? maxDelay = null) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle(shouldRetry ?? IsTransient),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delay ?? TimeSpan.FromMilliseconds(200),
                MaxDelay = maxDelay ?? TimeSpan.FromSeconds(2),
            })
            .Build();
}

/// <summary>The connection failed while COMMIT was in flight: the transaction may or may not have committed.</summary>
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The connection failed during COMMIT; the outcome is unknown.", inner);

/// <summary>The database stayed unreachable after the retries.</summary>
public sealed class DatabaseUnavailableException(Exception inner)
    : Exception("The database is unavailable.", inner);

namespace Snr.Distributed;

/// <summary>Tells the faults a retry can mend (a silo gone or unreachable, no answer in time) from the others.</summary>
internal static class ClusterFaults
{
    /// <summary>
    /// True for a lost or silent silo. Anything else (a refused gradient, a non-finite loss, a bad configuration or
    /// checkpoint) is a fault no retry mends, and stops the run at once.
    /// </summary>
    public static bool IsLost(Exception e) => e is TimeoutException or OrleansException
        || e is AggregateException { InnerExceptions: var inner } && inner.All(IsLost);
}

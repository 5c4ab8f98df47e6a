namespace Snr.Tests.Support;

/// <summary>Allocation checks for hot paths that must allocate nothing once warm.</summary>
public static class SteadyState
{
    /// <summary>
    /// Runs <paramref name="round"/> (warm already) up to <paramref name="maxRounds"/> times on this thread and
    /// asserts that some round allocated nothing. One-time runtime work (tiered compilation finishing, a type
    /// loaded) can land in an early round and never again; an allocation on every call lands in every round.
    /// </summary>
    public static void AssertAllocatesNothing(Action round, int maxRounds = 4)
    {
        var perRound = new List<long>(maxRounds);
        while (perRound.Count < maxRounds && (perRound.Count == 0 || perRound[^1] != 0))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            perRound.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(perRound[^1] == 0, $"bytes allocated per round: {string.Join(", ", perRound)}");
    }
}

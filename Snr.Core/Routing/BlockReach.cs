namespace Snr.Core.Routing;

/// <summary>
/// Which blocks of a routing level some task can still reach: input block j is reached when a reached output
/// block i reads it through a gate z_ij ≠ 0. Walking this rule down from the towers decides both which
/// sub-networks a training step skips (<see cref="Models.SnrModel"/>) and what the serving pruner removes, so
/// the two can never disagree.
/// </summary>
internal static class BlockReach
{
    /// <summary>
    /// Sets <paramref name="inputReached"/>[j] for every input block a reached output reads through a non-zero
    /// gate (and clears the others). gates: [kOut, kIn] row-major.
    /// </summary>
    public static void Inputs(ReadOnlySpan<float> gates, int kOut, int kIn, ReadOnlySpan<bool> outputReached, Span<bool> inputReached)
    {
        inputReached.Clear();
        for (int i = 0; i < kOut; i++)
        {
            if (!outputReached[i]) continue;
            for (int j = 0; j < kIn; j++)
                if (gates[i * kIn + j] != 0f) inputReached[j] = true;
        }
    }
}

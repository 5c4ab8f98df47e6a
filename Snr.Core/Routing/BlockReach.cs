namespace Snr.Core.Routing;

/// <summary>
/// Which blocks of a routing level are connected: input block j and output block i are linked when their gate
/// z_ij ≠ 0. Walking this rule down from the towers (<see cref="Inputs"/>) decides both which sub-networks a
/// training step skips (<see cref="Models.SnrModel"/>) and what the serving pruner removes, so the two can never
/// disagree; walking it up from level 0 (<see cref="Outputs"/>) tells <see cref="RoutingRepair"/> which tasks
/// still have a path.
/// </summary>
internal static class BlockReach
{
    /// <summary>
    /// Sets <paramref name="inputReached"/>[j] for every input block a reached output reads through a non-zero
    /// gate (and clears the others). gates: [kOut, kIn] row-major.
    /// </summary>
    public static void Inputs(ReadOnlySpan<float> gates, int kOut, int kIn, ReadOnlySpan<bool> outputReached, Span<bool> inputReached) =>
        Walk(gates, kOut, kIn, outputReached, inputReached, down: true);

    /// <summary>
    /// Sets <paramref name="outputReached"/>[i] for every output block that reads a reached input through a
    /// non-zero gate (and clears the others). gates: [kOut, kIn] row-major.
    /// </summary>
    public static void Outputs(ReadOnlySpan<float> gates, int kOut, int kIn, ReadOnlySpan<bool> inputReached, Span<bool> outputReached) =>
        Walk(gates, kOut, kIn, inputReached, outputReached, down: false);

    private static void Walk(ReadOnlySpan<float> gates, int kOut, int kIn, ReadOnlySpan<bool> from, Span<bool> to, bool down)
    {
        to.Clear();
        for (int i = 0; i < kOut; i++)
            for (int j = 0; j < kIn; j++)
                if (gates[i * kIn + j] != 0f && from[down ? i : j]) to[down ? j : i] = true;
    }
}

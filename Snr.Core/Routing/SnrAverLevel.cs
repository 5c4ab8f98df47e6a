using Snr.Autograd;
using Snr.Core.Serving;

namespace Snr.Core.Routing;

/// <summary>
/// An SNR-Aver level: <c>v_i = Σ_j z_ij·u_j</c> (identity connections, no normalisation, equal
/// widths), followed by a sub-network MLP per output block, where the parameters live.
/// </summary>
public sealed class SnrAverLevel : RoutingLevel
{
    /// <summary>Creates the level; <paramref name="blockHidden"/> must not be empty.</summary>
    /// <exception cref="ArgumentException">No sub-network layers.</exception>
    public SnrAverLevel(int inputBlocks, int width, int outputBlocks, ReadOnlySpan<int> blockHidden, HardConcrete hc, float initialLogAlpha = 0f)
        : base(inputBlocks, width, outputBlocks, width, NonEmpty(blockHidden), hc, initialLogAlpha)
    {
    }

    private protected override Tensor Route(Tensor x, Tensor gates) => Ops.SnrAver(x, gates);

    private protected override ServingNode RoutingNode(string name, int source, float[] z) =>
        new AveragedNode(name, source, InputBlocks, OutputBlocks, InputWidth, z);

    private static ReadOnlySpan<int> NonEmpty(ReadOnlySpan<int> hidden) => hidden.IsEmpty
        ? throw new ArgumentException("SNR-Aver connections carry no parameters: give each block a sub-network.", nameof(hidden))
        : hidden;
}

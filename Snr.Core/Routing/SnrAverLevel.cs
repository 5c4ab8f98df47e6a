using Snr.Autograd;

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

    // one multiply-add per element of the block
    private protected override long ConnectionFlopsPerRow => 2L * InputWidth;

    private static ReadOnlySpan<int> NonEmpty(ReadOnlySpan<int> hidden) => hidden.IsEmpty
        ? throw new ArgumentException("SNR-Aver connections carry no parameters: give each block a sub-network.", nameof(hidden))
        : hidden;
}

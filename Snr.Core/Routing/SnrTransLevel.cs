using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Routing;

/// <summary>
/// An SNR-Trans level: <c>v_i = ReLU(Σ_j z_ij·W_ij·u_j + b_i)</c>, a dense layer whose weight
/// (<c>weight</c>: [kOut·hOut, kIn·hIn], PyTorch's Linear layout; <c>bias</c>: [kOut·hOut]) is cut
/// into a kOut × kIn grid of blocks scaled by their gates. Blocks with a zero gate cost nothing.
/// </summary>
public sealed class SnrTransLevel : RoutingLevel
{
    /// <summary>Creates the level. Weight and bias initialise as a Linear(kIn·hIn → kOut·hOut) would.</summary>
    public SnrTransLevel(int inputBlocks, int inputWidth, int outputBlocks, int outputWidth, ReadOnlySpan<int> blockHidden,
        HardConcrete hc, float initialLogAlpha = 0f)
        : base(inputBlocks, inputWidth, outputBlocks, outputWidth, blockHidden, hc, initialLogAlpha)
    {
        var init = ParameterInit.KaimingUniform(inputBlocks * inputWidth);
        Weight = AddParameter("weight", Shape.Matrix(outputBlocks * outputWidth, inputBlocks * inputWidth), init);
        Bias = AddParameter("bias", Shape.Vector(outputBlocks * outputWidth), init);
    }

    /// <summary>The block matrix W: [kOut·hOut, kIn·hIn]; block (i, j) maps input block j to output block i.</summary>
    public Tensor Weight { get; }

    /// <summary>b: [kOut·hOut].</summary>
    public Tensor Bias { get; }

    private protected override Tensor Route(Tensor x, Tensor gates) => Ops.Relu(Ops.SnrTrans(x, Weight, Bias, gates));

    private protected override ServingNode RoutingNode(string name, int source, float[] z) =>
        new RoutedNode(name, source, InputBlocks, InputWidth, OutputBlocks, RoutedWidth, z, Weight.Data.ToArray(), Bias.Data.ToArray(), ServingActivation.Relu);
}

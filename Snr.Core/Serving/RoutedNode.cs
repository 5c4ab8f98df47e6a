using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// An SNR-Trans routing level with fixed gates: y_i = act(Σ_j z_ij·x_j·W_ijᵀ + b_i) for every output block,
/// also one whose gates are all 0 (it is then the constant act(b_i), exactly as in the model's forward).
/// Gates [KOut, KIn], weight [KOut·HOut, KIn·HIn], bias [KOut·HOut].
/// </summary>
internal sealed record RoutedNode(string Name, int Source, int KIn, int HIn, int KOut, int HOut, float[] Gates, float[] Weight, float[] Bias, ServingActivation Activation)
    : GatedBlocksNode(Name, Source, KIn, HIn, KOut, HOut, Gates)
{
    public override long FlopsPerConnection => 2L * HIn * HOut;

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        base.Validate(nodes);
        if (Weight.Length != KOut * HOut * KIn * HIn || Bias.Length != KOut * HOut)
            throw new ArgumentException($"Node '{Name}': weight {Weight.Length} and bias {Bias.Length} do not describe a {KOut}×{KIn} grid of {HOut}×{HIn} blocks.");
    }

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() => $"{Name}: SNR-Trans {KIn}×{HIn} → {KOut}×{HOut}, {Connections.Live} of {Gates.Length} blocks live";

    private sealed class Prepared(RoutedNode node, int index) : PreparedNode(index)
    {
        private readonly PreparedMatmul _product = new(node.Weight, node.KOut, node.HOut, node.KIn, node.HIn, node.Gates);

        public override void Run(ServingWorkspace workspace, int rows, int maxThreads)
        {
            Span<float> y = workspace.Buffer(Index, rows);
            _product.Multiply(workspace.Buffer(node.Source, rows), node.KIn * node.HIn, y, node.Width, rows, maxThreads);
            AddBiasActivate(y, rows, node.Width, 0, node.Bias, node.Activation);
        }
    }
}

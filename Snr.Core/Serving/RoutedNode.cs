using Snr.Core.Routing;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// An SNR-Trans routing level with fixed gates: y_i = act(Σ_j z_ij·x_j·W_ijᵀ + b_i) for every output block,
/// also one whose gates are all 0 (it is then the constant act(b_i), exactly as in the model's forward).
/// Gates [KOut, KIn], weight [KOut·HOut, KIn·HIn], bias [KOut·HOut].
/// </summary>
internal sealed record RoutedNode(string Name, int Source, int KIn, int HIn, int KOut, int HOut, float[] Gates, float[] Weight, float[] Bias, ServingActivation Activation)
    : ServingNode(Name, KOut * HOut)
{
    public override IReadOnlyList<int> Sources => [Source];

    public override long FlopsPerConnection => 2L * HIn * HOut;

    public override long FlopsPerRow => Connections.Live * FlopsPerConnection;

    public override (int Live, int Total) Connections => (Gates.Count(z => z != 0f), Gates.Length);

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        RequireWidth(nodes, Source, KIn * HIn);
        if (Gates.Length != KOut * KIn || Weight.Length != KOut * HOut * KIn * HIn || Bias.Length != KOut * HOut)
            throw new ArgumentException($"Node '{Name}': gates {Gates.Length}, weight {Weight.Length} and bias {Bias.Length} do not describe a {KOut}×{KIn} grid of {HOut}×{HIn} blocks.");
    }

    // An output block nobody reads loses its gates; the input blocks its live gates read are needed.
    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed)
    {
        var gates = PruneGates(Gates, KIn, KOut, HOut, wanted);
        Span<bool> reached = stackalloc bool[KIn];
        BlockReach.Inputs(gates, KOut, KIn, OutputsWanted(wanted, KOut, HOut), reached);
        for (int j = 0; j < KIn; j++)
            if (reached[j]) Mark(needed[Source], j * HIn, HIn);
        return this with { Gates = gates };
    }

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() => $"{Name}: SNR-Trans {KIn}×{HIn} → {KOut}×{HOut}, {Connections.Live} of {Gates.Length} blocks live";

    /// <summary>The gates with every row of an output block that no wanted column lies in set to 0.</summary>
    internal static float[] PruneGates(float[] gates, int kIn, int kOut, int h, ReadOnlySpan<bool> wanted)
    {
        var result = (float[])gates.Clone();
        for (int i = 0; i < kOut; i++)
            if (!Any(wanted, i * h, h)) result.AsSpan(i * kIn, kIn).Clear();
        return result;
    }

    /// <summary>Per output block of width h: whether a wanted column lies in it.</summary>
    internal static bool[] OutputsWanted(ReadOnlySpan<bool> wanted, int kOut, int h)
    {
        var result = new bool[kOut];
        for (int i = 0; i < kOut; i++) result[i] = Any(wanted, i * h, h);
        return result;
    }

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

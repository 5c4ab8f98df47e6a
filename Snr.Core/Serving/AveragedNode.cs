using Snr.Core.Routing;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>An SNR-Aver routing level with fixed gates: y_i = Σ_j z_ij·x_j, blocks of width H. Gates [KOut, KIn].</summary>
internal sealed record AveragedNode(string Name, int Source, int KIn, int KOut, int H, float[] Gates)
    : ServingNode(Name, KOut * H)
{
    public override IReadOnlyList<int> Sources => [Source];

    public override long FlopsPerRow => 2L * Gates.Count(z => z != 0f) * H;

    public override (int Live, int Total) Connections => (Gates.Count(z => z != 0f), Gates.Length);

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        RequireWidth(nodes, Source, KIn * H);
        if (Gates.Length != KOut * KIn) throw new ArgumentException($"Node '{Name}': {Gates.Length} gates for a {KOut}×{KIn} grid.");
    }

    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed)
    {
        var gates = RoutedNode.PruneGates(Gates, KIn, KOut, H, wanted);
        Span<bool> reached = stackalloc bool[KIn];
        BlockReach.Inputs(gates, KOut, KIn, RoutedNode.OutputsWanted(wanted, KOut, H), reached);
        for (int j = 0; j < KIn; j++)
            if (reached[j]) Mark(needed[Source], j * H, H);
        return this with { Gates = gates };
    }

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() => $"{Name}: SNR-Aver {KIn} → {KOut} blocks of {H}, {Connections.Live} of {Gates.Length} connections live";

    private sealed class Prepared(AveragedNode node, int index) : PreparedNode(index)
    {
        public override void Run(ServingWorkspace workspace, int rows, int maxThreads) =>
            BlockSums.Gated(rows, node.KIn, node.KOut, node.H, node.Gates, workspace.Buffer(node.Source, rows), workspace.Buffer(Index, rows));
    }
}

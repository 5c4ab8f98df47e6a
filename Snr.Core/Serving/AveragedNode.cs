using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>An SNR-Aver routing level with fixed gates: y_i = Σ_j z_ij·x_j, blocks of width H. Gates [KOut, KIn].</summary>
internal sealed record AveragedNode(string Name, int Source, int KIn, int KOut, int H, float[] Gates)
    : GatedBlocksNode(Name, Source, KIn, H, KOut, H, Gates)
{
    public override long FlopsPerConnection => 2L * H;

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() => $"{Name}: SNR-Aver {KIn} → {KOut} blocks of {H}, {Connections.Live} of {Gates.Length} connections live";

    private sealed class Prepared(AveragedNode node, int index) : PreparedNode(index)
    {
        public override void Run(ServingWorkspace workspace, int rows, int maxThreads) =>
            BlockSums.Gated(rows, node.KIn, node.KOut, node.H, node.Gates, workspace.Buffer(node.Source, rows), workspace.Buffer(Index, rows));
    }
}

using System.Numerics.Tensors;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// MMoE's mixtures: for each task t, softmax over the gate logits g = gateSource[:, t·Experts .. (t+1)·Experts)
/// and y_t = Σ_e g_e·expert_e, where expert e is columns [e·ExpertWidth, (e+1)·ExpertWidth) of the expert
/// source. Output [rows, Tasks·ExpertWidth].
/// </summary>
internal sealed record MixtureNode(string Name, int ExpertSource, int Experts, int ExpertWidth, int GateSource, int Tasks)
    : ServingNode(Name, Tasks * ExpertWidth)
{
    public override IReadOnlyList<int> Sources => [ExpertSource, GateSource];

    public override long FlopsPerRow => 2L * Tasks * Experts * ExpertWidth;

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        RequireWidth(nodes, ExpertSource, Experts * ExpertWidth);
        RequireWidth(nodes, GateSource, Tasks * Experts);
    }

    // A wanted task output reads every expert and that task's gate logits.
    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed)
    {
        for (int t = 0; t < Tasks; t++)
        {
            if (!Any(wanted, t * ExpertWidth, ExpertWidth)) continue;
            Mark(needed[ExpertSource], 0, Experts * ExpertWidth);
            Mark(needed[GateSource], t * Experts, Experts);
        }
        return this;
    }

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() => $"{Name}: mixture of {Experts} experts of {ExpertWidth} for {Tasks} tasks";

    private sealed class Prepared(MixtureNode node, int index) : PreparedNode(index)
    {
        public override int ScratchPerRow => node.Experts;

        public override void Run(ServingWorkspace workspace, int rows, int maxThreads)
        {
            ReadOnlySpan<float> experts = workspace.Buffer(node.ExpertSource, rows), logits = workspace.Buffer(node.GateSource, rows);
            Span<float> y = workspace.Buffer(Index, rows), weights = workspace.Scratch(rows * node.Experts);
            int e = node.Experts, logitWidth = node.Tasks * e;
            for (int t = 0; t < node.Tasks; t++)
            {
                for (int r = 0; r < rows; r++)
                    TensorPrimitives.SoftMax(logits.Slice(r * logitWidth + t * e, e), weights.Slice(r * e, e));
                BlockSums.PerRow(rows, e, node.ExpertWidth, experts, weights, e, y[(t * node.ExpertWidth)..], node.Width);
            }
        }
    }
}

using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// One linear map inside a <see cref="GroupedLinearNode"/>: output columns
/// [OutOffset, OutOffset + OutWidth) = x[:, InOffset .. InOffset + InWidth)·Wᵀ + b.
/// </summary>
/// <param name="Name">A dotted name for reports (<c>level0.2.0</c>, <c>towers.income.0</c>).</param>
/// <param name="InOffset">First input column read.</param>
/// <param name="InWidth">Input columns read.</param>
/// <param name="OutOffset">First output column written.</param>
/// <param name="OutWidth">Output columns written.</param>
/// <param name="Weight">[OutWidth, InWidth], PyTorch layout.</param>
/// <param name="Bias">[OutWidth].</param>
internal sealed record LinearGroup(string Name, int InOffset, int InWidth, int OutOffset, int OutWidth, float[] Weight, float[] Bias);

/// <summary>
/// Independent linear maps side by side, each followed by the activation: a plain Linear layer (one group),
/// the level-0 sub-networks (groups reading the whole input), per-block sub-networks (groups reading their own
/// block) or the towers. Pruning drops whole groups; fusion merges groups that read the same columns into one
/// wider product.
/// </summary>
internal sealed record GroupedLinearNode(string Name, int Source, int Width, IReadOnlyList<LinearGroup> Groups, ServingActivation Activation)
    : ServingNode(Name, Width)
{
    public override IReadOnlyList<int> Sources => [Source];

    public override long FlopsPerRow => Groups.Sum(g => 2L * g.InWidth * g.OutWidth);

    public override IEnumerable<string> GroupNames => Groups.Select(g => g.Name);

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        foreach (var g in Groups)
            if (g.InOffset < 0 || g.InOffset + g.InWidth > nodes[Source].Width || g.OutOffset < 0 || g.OutOffset + g.OutWidth > Width
                || g.Weight.Length != g.InWidth * g.OutWidth || g.Bias.Length != g.OutWidth)
                throw new ArgumentException($"Group '{g.Name}' of node '{Name}' does not fit: input [{g.InOffset}, +{g.InWidth}) of {nodes[Source].Width}, " +
                    $"output [{g.OutOffset}, +{g.OutWidth}) of {Width}, weight {g.Weight.Length}, bias {g.Bias.Length}.");
    }

    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed)
    {
        var kept = new List<LinearGroup>();
        foreach (var g in Groups)
        {
            if (!Any(wanted, g.OutOffset, g.OutWidth)) continue;
            kept.Add(g);
            Mark(needed[Source], g.InOffset, g.InWidth);
        }
        return this with { Groups = kept };
    }

    // Groups that read the same input columns and write adjacent output columns become one group with stacked
    // weights (weights are [out, in] row-major, so stacking output rows is concatenation): the level-0
    // sub-networks of an SNR model then run as one wide product instead of several narrow ones.
    public override ServingNode Fuse()
    {
        var fused = new List<LinearGroup>();
        foreach (var g in Groups)
        {
            if (fused.Count > 0 && fused[^1] is var last
                && last.InOffset == g.InOffset && last.InWidth == g.InWidth && last.OutOffset + last.OutWidth == g.OutOffset)
                fused[^1] = last with
                {
                    Name = last.Name + "+" + g.Name,
                    OutWidth = last.OutWidth + g.OutWidth,
                    Weight = [.. last.Weight, .. g.Weight],
                    Bias = [.. last.Bias, .. g.Bias],
                };
            else
                fused.Add(g);
        }
        return this with { Groups = fused };
    }

    public override PreparedNode Prepare(int index) => new Prepared(this, index);

    public override string Describe() =>
        $"{Name}: {Groups.Count} linear group(s) [{string.Join(", ", Groups.Select(g => $"{g.Name} {g.InWidth}→{g.OutWidth}"))}], {Activation}";

    // For each group: y[:, out] = act(x[:, in]·Wᵀ + b), read and written in place through leading dimensions.
    private sealed class Prepared(GroupedLinearNode node, int index) : PreparedNode(index)
    {
        private readonly PreparedMatmul[] _products = [.. node.Groups.Select(g => new PreparedMatmul(g.Weight, g.OutWidth, g.InWidth))];

        public override void Run(ServingWorkspace workspace, int rows, int maxThreads)
        {
            ReadOnlySpan<float> x = workspace.Buffer(node.Source, rows);
            Span<float> y = workspace.Buffer(Index, rows);
            int xWidth = workspace.Width(node.Source);
            for (int i = 0; i < _products.Length; i++)
            {
                var group = node.Groups[i];
                _products[i].Multiply(x[group.InOffset..], xWidth, y[group.OutOffset..], node.Width, rows, maxThreads);
                AddBiasActivate(y, rows, node.Width, group.OutOffset, group.Bias, node.Activation);
            }
        }
    }
}

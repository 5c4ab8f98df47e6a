using Snr.Core.Modules;

namespace Snr.Core.Serving;

/// <summary>
/// What a model uses to write itself out as a <see cref="ServingGraph"/> (see
/// <see cref="Models.MultiTaskModel"/>): nodes appended in the order they run, node 0 being the input. Weights
/// are copied, so further training does not change a compiled predictor. Parallel MLPs — level-0
/// sub-networks, experts, per-block sub-networks, towers — go side by side as groups of one node per layer.
/// </summary>
internal sealed class ServingGraphWriter(int inputWidth)
{
    private readonly List<ServingNode> _nodes = [new InputNode(inputWidth)];

    /// <summary>The nodes written so far.</summary>
    public IReadOnlyList<ServingNode> Nodes => _nodes;

    /// <summary>Appends a node and returns its index.</summary>
    public int Add(ServingNode node)
    {
        _nodes.Add(node);
        return _nodes.Count - 1;
    }

    /// <summary>
    /// Appends parallel MLPs of equal shape, one grouped node per layer. With a shared input each MLP reads the
    /// whole source; otherwise MLP g reads block g of it. Returns the last node.
    /// </summary>
    /// <exception cref="NotSupportedException">The MLPs differ in shape.</exception>
    public int AddMlps(int source, string prefix, IReadOnlyList<Mlp> mlps, bool sharedInput, bool activateLast, IReadOnlyList<string>? names = null)
    {
        int depth = mlps[0].Layers.Count;
        for (int layer = 0; layer < depth; layer++)
        {
            var groups = new LinearGroup[mlps.Count];
            int outWidth = mlps[0].Layers[layer].OutFeatures, inWidth = mlps[0].Layers[layer].InFeatures;
            for (int g = 0; g < mlps.Count; g++)
            {
                if (mlps[g].Layers.Count != depth || mlps[g].Layers[layer].OutFeatures != outWidth)
                    throw new NotSupportedException($"The MLPs under '{prefix}' differ in shape; they cannot run side by side.");
                int inOffset = layer == 0 && sharedInput ? 0 : g * inWidth;
                groups[g] = Group($"{prefix}.{names?[g] ?? g.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{layer}", mlps[g].Layers[layer], inOffset, g * outWidth);
            }
            bool activate = layer < depth - 1 || activateLast;
            source = Add(new GroupedLinearNode($"{prefix}.{layer}", source, mlps.Count * outWidth, groups, activate ? ServingActivation.Relu : ServingActivation.None));
        }
        return source;
    }

    /// <summary>One linear layer as a group reading input columns from <paramref name="inOffset"/> and writing from <paramref name="outOffset"/>.</summary>
    public static LinearGroup Group(string name, Linear layer, int inOffset, int outOffset) =>
        new(name, inOffset, layer.InFeatures, outOffset, layer.OutFeatures, layer.Weight.Data.ToArray(),
            layer.Bias?.Data.ToArray() ?? new float[layer.OutFeatures]);
}

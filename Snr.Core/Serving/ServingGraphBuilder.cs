using Snr.Core.Models;
using Snr.Core.Modules;
using Snr.Core.Routing;

namespace Snr.Core.Serving;

/// <summary>
/// Writes a trained model out as a <see cref="ServingGraph"/>: weights copied (so further
/// training does not change a compiled predictor), SNR gates fixed at their serving values
/// (forced gates at their forced values), and parallel MLPs — level-0 sub-networks, experts,
/// per-block sub-networks, towers — laid side by side as groups of one node per layer.
/// </summary>
public static class ServingGraphBuilder
{
    /// <summary>The serving graph of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">A model kind this builder does not know.</exception>
    public static ServingGraph FromModel(MultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var nodes = new List<ServingNode> { new InputNode(model.Config.EncodedInputDim) };
        int tasks = model.Tasks.Count;
        (int Node, int BlockWidth) towerInput = model switch
        {
            SharedBottomModel m => (AddMlps(nodes, 0, "bottom", [m.Bottom], sharedInput: true, activateLast: true), 0),
            SingleTaskModel m => (AddMlps(nodes, 0, "tasks", [.. Enumerable.Range(0, tasks).Select(m.Network)], sharedInput: true, activateLast: true), Width(m.Network(0))),
            MmoeModel m => AddMmoe(nodes, m),
            SnrModel m => AddSnr(nodes, m),
            _ => throw new NotSupportedException($"No serving graph for {model.GetType().Name}."),
        };
        // Towers: each reads its task's block (or, with block width 0, the whole shared output).
        var towers = Enumerable.Range(0, tasks).Select(model.Tower).ToArray();
        int last = AddMlps(nodes, towerInput.Node, "towers", towers, sharedInput: towerInput.BlockWidth == 0, activateLast: false,
            names: [.. model.Tasks.Select(t => t.Name)]);
        var outputs = model.Tasks.Select((t, i) => new TaskOutput(t.Name, last, i, t.Kind == TaskKind.Binary)).ToArray();
        var input = model.Input;
        EmbeddingTable[] embeddings = input is null ? [] :
            [.. input.Tables.Select((t, c) => new EmbeddingTable($"input.embeddings.{c}", t.Rows, t.Cols, t.Data.ToArray()))];
        return new ServingGraph(input?.Numeric ?? model.Config.InputDim, embeddings, nodes, outputs);
    }

    private static (int, int) AddMmoe(List<ServingNode> nodes, MmoeModel m)
    {
        int experts = AddMlps(nodes, 0, "experts", [.. m.Experts], sharedInput: true, activateLast: true);
        var gateGroups = m.GateLayers.Select((g, t) => Group($"gates.{m.Tasks[t].Name}", g, 0, t * m.ExpertCount)).ToArray();
        nodes.Add(new GroupedLinearNode("gates", 0, gateGroups.Length * m.ExpertCount, gateGroups, ServingActivation.None));
        int gates = nodes.Count - 1;
        int width = Width(m.Experts[0]);
        nodes.Add(new MixtureNode("mixture", experts, m.ExpertCount, width, gates, m.Tasks.Count));
        return (nodes.Count - 1, width);
    }

    private static (int, int) AddSnr(List<ServingNode> nodes, SnrModel m)
    {
        int h = AddMlps(nodes, 0, "level0", [.. m.Level0], sharedInput: true, activateLast: true);
        int width = Width(m.Level0[0]);
        for (int l = 0; l < m.Levels.Count; l++)
        {
            var level = m.Levels[l];
            var gate = level.Gate;
            var z = new float[gate.Outputs * gate.Inputs];
            for (int i = 0; i < gate.Outputs; i++)
                for (int j = 0; j < gate.Inputs; j++)
                    z[i * gate.Inputs + j] = gate.ServingGate(i, j);
            string name = $"routing.{l}";
            nodes.Add(level switch
            {
                SnrTransLevel t => new RoutedNode(name, h, t.InputBlocks, t.InputWidth, t.OutputBlocks, t.RoutedWidth, z,
                    t.Weight.Data.ToArray(), t.Bias.Data.ToArray(), ServingActivation.Relu),
                SnrAverLevel a => new AveragedNode(name, h, a.InputBlocks, a.OutputBlocks, a.InputWidth, z),
                _ => throw new NotSupportedException($"No serving node for {level.GetType().Name}."),
            });
            h = nodes.Count - 1;
            width = level.RoutedWidth;
            if (level.Blocks.Count > 0)
            {
                h = AddMlps(nodes, h, $"{name}.blocks", [.. level.Blocks], sharedInput: false, activateLast: true);
                width = Width(level.Blocks[0]);
            }
        }
        return (h, width);
    }

    /// <summary>
    /// Adds parallel MLPs of equal shape, one grouped node per layer. With a shared input each
    /// MLP reads the whole source; otherwise MLP g reads block g of it. Returns the last node.
    /// </summary>
    private static int AddMlps(List<ServingNode> nodes, int source, string prefix, Mlp[] mlps, bool sharedInput, bool activateLast, string[]? names = null)
    {
        int depth = mlps[0].Layers.Count;
        for (int layer = 0; layer < depth; layer++)
        {
            var groups = new LinearGroup[mlps.Length];
            int outWidth = mlps[0].Layers[layer].OutFeatures, inWidth = mlps[0].Layers[layer].InFeatures;
            for (int g = 0; g < mlps.Length; g++)
            {
                if (mlps[g].Layers.Count != depth || mlps[g].Layers[layer].OutFeatures != outWidth)
                    throw new NotSupportedException($"The MLPs under '{prefix}' differ in shape; they cannot run side by side.");
                int inOffset = layer == 0 && sharedInput ? 0 : g * inWidth;
                groups[g] = Group($"{prefix}.{names?[g] ?? g.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{layer}", mlps[g].Layers[layer], inOffset, g * outWidth);
            }
            bool activate = layer < depth - 1 || activateLast;
            nodes.Add(new GroupedLinearNode($"{prefix}.{layer}", source, mlps.Length * outWidth, groups, activate ? ServingActivation.Relu : ServingActivation.None));
            source = nodes.Count - 1;
        }
        return source;
    }

    private static LinearGroup Group(string name, Linear layer, int inOffset, int outOffset) =>
        new(name, inOffset, layer.InFeatures, outOffset, layer.OutFeatures, layer.Weight.Data.ToArray(),
            layer.Bias?.Data.ToArray() ?? new float[layer.OutFeatures]);

    private static int Width(Mlp mlp) => mlp.OutFeatures;
}

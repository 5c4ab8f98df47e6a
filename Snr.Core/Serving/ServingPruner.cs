namespace Snr.Core.Serving;

/// <summary>
/// Removes from a serving graph everything the requested tasks do not need. Working back
/// from the task heads, a column is needed when a needed column reads it through a live
/// connection: a group of a <see cref="GroupedLinearNode"/> is kept when one of its outputs is
/// needed; an output block of a routing node is computed when it is needed, and reads only
/// the input blocks whose gate is not zero. So a connection with z = 0 disappears, and with it
/// every sub-network that no task reaches any more.
/// </summary>
internal static class ServingPruner
{
    public static ServingGraph Prune(ServingGraph graph, IReadOnlyList<TaskOutput> outputs)
    {
        var nodes = graph.Nodes;
        var needed = nodes.Select(n => new bool[n.Width]).ToArray();
        foreach (var o in outputs) needed[o.Node][o.Column] = true;

        var pruned = new ServingNode[nodes.Count];
        for (int index = nodes.Count - 1; index >= 0; index--)
        {
            bool[] want = needed[index];
            pruned[index] = nodes[index] switch
            {
                InputNode input => input,
                GroupedLinearNode g => PruneGroups(g, want, needed[g.Source]),
                RoutedNode r => r with { Gates = PruneGrid(r.Gates, r.KIn, r.KOut, r.HOut, r.HIn, want, needed[r.Source]) },
                AveragedNode a => a with { Gates = PruneGrid(a.Gates, a.KIn, a.KOut, a.H, a.H, want, needed[a.Source]) },
                MixtureNode m => MarkMixture(m, want, needed[m.ExpertSource], needed[m.GateSource]),
                var other => throw new NotSupportedException($"Unknown serving node {other.GetType().Name}."),
            };
        }
        return graph with { Nodes = pruned, Outputs = outputs };
    }

    private static GroupedLinearNode PruneGroups(GroupedLinearNode node, bool[] want, bool[] source)
    {
        var kept = node.Groups.Where(g => Any(want, g.OutOffset, g.OutWidth)).ToList();
        foreach (var g in kept) Mark(source, g.InOffset, g.InWidth);
        return node with { Groups = kept };
    }

    // Zeroes the gates of output blocks nobody needs; marks the input blocks that live gates read.
    private static float[] PruneGrid(float[] gates, int kIn, int kOut, int hOut, int hIn, bool[] want, bool[] source)
    {
        var result = (float[])gates.Clone();
        for (int i = 0; i < kOut; i++)
        {
            bool outputNeeded = Any(want, i * hOut, hOut);
            for (int j = 0; j < kIn; j++)
            {
                if (!outputNeeded) result[i * kIn + j] = 0f;
                else if (result[i * kIn + j] != 0f) Mark(source, j * hIn, hIn);
            }
        }
        return result;
    }

    private static MixtureNode MarkMixture(MixtureNode m, bool[] want, bool[] experts, bool[] gates)
    {
        for (int t = 0; t < m.Tasks; t++)
        {
            if (!Any(want, t * m.ExpertWidth, m.ExpertWidth)) continue;
            Mark(experts, 0, m.Experts * m.ExpertWidth);
            Mark(gates, t * m.Experts, m.Experts);
        }
        return m;
    }

    private static bool Any(bool[] mask, int offset, int count) => Array.IndexOf(mask, true, offset, count) >= 0;

    private static void Mark(bool[] mask, int offset, int count) => Array.Fill(mask, true, offset, count);
}

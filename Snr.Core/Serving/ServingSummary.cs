namespace Snr.Core.Serving;

/// <summary>What a compiled predictor computes per row.</summary>
/// <param name="FlopsPerRow">Floating-point operations per row (a multiply-add counts 2) of what is left after pruning.</param>
/// <param name="LiveConnections">Routing connections with a non-zero gate that a requested task still reaches.</param>
/// <param name="TotalConnections">All routing connections of the model.</param>
/// <param name="RemovedGroups">Names of the sub-networks and tower layers that were dropped because no requested task reaches them.</param>
public sealed record ServingSummary(long FlopsPerRow, int LiveConnections, int TotalConnections, IReadOnlyList<string> RemovedGroups)
{
    internal static ServingSummary Of(ServingGraph original, ServingGraph pruned)
    {
        long flops = 0;
        int live = 0, total = 0;
        foreach (var node in pruned.Nodes)
        {
            switch (node)
            {
                case GroupedLinearNode g:
                    flops += g.Groups.Sum(x => 2L * x.InWidth * x.OutWidth);
                    break;
                case RoutedNode r:
                    int liveBlocks = r.Gates.Count(z => z != 0f);
                    flops += 2L * liveBlocks * r.HIn * r.HOut;
                    live += liveBlocks;
                    total += r.Gates.Length;
                    break;
                case AveragedNode a:
                    int liveIdentities = a.Gates.Count(z => z != 0f);
                    flops += 2L * liveIdentities * a.H;
                    live += liveIdentities;
                    total += a.Gates.Length;
                    break;
                case MixtureNode m:
                    flops += 2L * m.Tasks * m.Experts * m.ExpertWidth;
                    break;
            }
        }
        var kept = pruned.Nodes.OfType<GroupedLinearNode>().SelectMany(g => g.Groups).Select(g => g.Name).ToHashSet();
        var removed = original.Nodes.OfType<GroupedLinearNode>().SelectMany(g => g.Groups).Select(g => g.Name).Where(n => !kept.Contains(n)).ToList();
        return new ServingSummary(flops, live, total, removed);
    }
}

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
        int live = pruned.Nodes.Sum(n => n.Connections.Live), total = pruned.Nodes.Sum(n => n.Connections.Total);
        var kept = pruned.Nodes.SelectMany(n => n.GroupNames).ToHashSet();
        var removed = original.Nodes.SelectMany(n => n.GroupNames).Where(n => !kept.Contains(n)).ToList();
        return new ServingSummary(pruned.FlopsPerRow, live, total, removed);
    }
}

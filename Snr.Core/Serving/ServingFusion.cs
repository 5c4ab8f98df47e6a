namespace Snr.Core.Serving;

/// <summary>
/// Merges the groups of a <see cref="GroupedLinearNode"/> that read the same input columns and
/// write adjacent output columns into one group with stacked weights, so that, for example,
/// the four level-0 sub-networks of an SNR model (each reading the whole input) run as one
/// wide matrix product instead of four narrow ones. The result is the same computation.
/// </summary>
internal static class ServingFusion
{
    public static ServingGraph Fuse(ServingGraph graph) =>
        graph with { Nodes = [.. graph.Nodes.Select(n => n is GroupedLinearNode g ? g with { Groups = FuseGroups(g.Groups) } : n)] };

    private static List<LinearGroup> FuseGroups(IReadOnlyList<LinearGroup> groups)
    {
        var fused = new List<LinearGroup>();
        foreach (var g in groups)
        {
            if (fused.Count > 0 && fused[^1] is var last
                && last.InOffset == g.InOffset && last.InWidth == g.InWidth && last.OutOffset + last.OutWidth == g.OutOffset)
            {
                // Weights are [out, in] row-major: stacking output rows is concatenation.
                fused[^1] = last with
                {
                    Name = last.Name + "+" + g.Name,
                    OutWidth = last.OutWidth + g.OutWidth,
                    Weight = [.. last.Weight, .. g.Weight],
                    Bias = [.. last.Bias, .. g.Bias],
                };
            }
            else
            {
                fused.Add(g);
            }
        }
        return fused;
    }
}

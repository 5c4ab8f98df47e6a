using Snr.Core.Routing;

namespace Snr.Core.Serving;

/// <summary>
/// A routing level with fixed gates: KOut output blocks of width HOut, output block i reading input block j of
/// width HIn through gate z_ij (gates [KOut, KIn]). What pruning keeps of it and what it costs are the same for
/// every kind of routing (<see cref="RoutedNode"/>, <see cref="AveragedNode"/>); they differ in how a connection runs.
/// </summary>
internal abstract record GatedBlocksNode(string Name, int Source, int KIn, int HIn, int KOut, int HOut, float[] Gates)
    : ServingNode(Name, KOut * HOut)
{
    public override IReadOnlyList<int> Sources => [Source];

    public override long FlopsPerRow => Connections.Live * FlopsPerConnection;

    public override (int Live, int Total) Connections => (Gates.Count(z => z != 0f), Gates.Length);

    public override void Validate(IReadOnlyList<ServingNode> nodes)
    {
        RequireWidth(nodes, Source, KIn * HIn);
        if (Gates.Length != KOut * KIn) throw new ArgumentException($"Node '{Name}': {Gates.Length} gates for a {KOut}×{KIn} grid.");
    }

    // An output block nobody reads loses its gates; the input blocks its live gates read are needed.
    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed)
    {
        var gates = (float[])Gates.Clone();
        var outputWanted = new bool[KOut];
        for (int i = 0; i < KOut; i++)
        {
            outputWanted[i] = Any(wanted, i * HOut, HOut);
            if (!outputWanted[i]) gates.AsSpan(i * KIn, KIn).Clear();
        }
        Span<bool> reached = stackalloc bool[KIn];
        BlockReach.Inputs(gates, KOut, KIn, outputWanted, reached);
        for (int j = 0; j < KIn; j++)
            if (reached[j]) Mark(needed[Source], j * HIn, HIn);
        return this with { Gates = gates };
    }
}

using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Routing;

/// <summary>
/// One SNR routing level: kIn input blocks reach kOut output blocks through gated connections
/// (its <see cref="Gate"/>, parameter <c>log_alpha</c>), optionally followed by a sub-network MLP
/// per output block (<c>blocks.{i}.{layer}</c>).
/// </summary>
public abstract class RoutingLevel : Module
{
    private readonly Mlp[]? _blocks;
    private readonly Tensor[]? _parts;

    /// <summary>Registers the gate (inline, so its parameter is <c>{level}.log_alpha</c>) and the per-block sub-networks.</summary>
    private protected RoutingLevel(int inputBlocks, int inputWidth, int outputBlocks, int routedWidth, ReadOnlySpan<int> blockHidden,
        HardConcrete hc, float initialLogAlpha)
    {
        InputBlocks = inputBlocks;
        InputWidth = inputWidth;
        OutputBlocks = outputBlocks;
        RoutedWidth = routedWidth;
        Gate = AddModule("", new HardConcreteGate(outputBlocks, inputBlocks, hc, initialLogAlpha));
        OutputWidth = routedWidth;
        if (!blockHidden.IsEmpty)
        {
            int[] hidden = [.. blockHidden];
            _blocks = AddModules("blocks", outputBlocks, _ => new Mlp(routedWidth, hidden, activateLast: true));
            _parts = new Tensor[outputBlocks];
            OutputWidth = blockHidden[^1];
        }
    }

    /// <summary>The coding variables of this level's connections.</summary>
    public HardConcreteGate Gate { get; }

    /// <summary>kIn.</summary>
    public int InputBlocks { get; }

    /// <summary>The per-block sub-networks after the routing (one per output block), or none.</summary>
    public IReadOnlyList<Mlp> Blocks => (IReadOnlyList<Mlp>?)_blocks ?? [];

    /// <summary>Width of each input block.</summary>
    public int InputWidth { get; }

    /// <summary>kOut.</summary>
    public int OutputBlocks { get; }

    /// <summary>Width of each output block right after routing (before the per-block sub-networks).</summary>
    public int RoutedWidth { get; }

    /// <summary>Width of each output block of the level (after the per-block sub-networks, if any).</summary>
    public int OutputWidth { get; }

    /// <summary>x: [batch, kIn·inputWidth] → [batch, kOut·outputWidth], with sampled gates when training.</summary>
    public Tensor Forward(Tensor x, bool training) => Forward(x, Gate.Gates(training), ReadOnlySpan<bool>.Empty);

    /// <summary>
    /// The level with the given gates. An output block marked not live (no task reads it in this step)
    /// keeps its place but its sub-network is skipped: it reads as zeros. The caller zeroes the gates
    /// of such blocks, so the routed matmul skips them too. An empty <paramref name="outputLive"/> means all live.
    /// </summary>
    internal Tensor Forward(Tensor x, Tensor gates, ReadOnlySpan<bool> outputLive)
    {
        var routed = Route(x, gates);
        if (_blocks is null) return routed;
        for (int i = 0; i < _blocks.Length; i++)
            _parts![i] = outputLive.IsEmpty || outputLive[i]
                ? _blocks[i].Forward(Ops.SliceColumns(routed, i * RoutedWidth, RoutedWidth))
                : Ops.Zeros(x.Rows, OutputWidth);
        return _parts!.Length == 1 ? _parts[0] : Ops.ConcatColumns(_parts);
    }

    /// <summary>
    /// Writes the level with its serving gates (forced gates at their forced values) as serving nodes reading
    /// node <paramref name="source"/>, and returns the last node written.
    /// </summary>
    internal int WriteServingNodes(ServingGraphWriter graph, string name, int source)
    {
        int routed = graph.Add(RoutingNode(name, source, Gate.ServingGates()));
        return _blocks is null ? routed : graph.AddMlps(routed, $"{name}.blocks", _blocks, sharedInput: false, activateLast: true);
    }

    /// <summary>The routing itself (before the per-block sub-networks).</summary>
    private protected abstract Tensor Route(Tensor x, Tensor gates);

    /// <summary>The routing itself as a serving node with the given serving gates z: [kOut, kIn].</summary>
    private protected abstract ServingNode RoutingNode(string name, int source, float[] z);
}

using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>The activation fused into a serving node's output.</summary>
internal enum ServingActivation
{
    /// <summary>Identity.</summary>
    None,

    /// <summary>max(x, 0).</summary>
    Relu,
}

/// <summary>
/// A node of a serving graph: it reads earlier nodes (by index; node 0 is the model input) and writes a
/// [rows, <see cref="Width"/>] buffer. Each kind of node owns everything about itself — how it checks its
/// inputs, what pruning keeps of it, what it costs and how it runs — so the <see cref="Predictor"/> only
/// walks the list and adding a node kind touches no switch.
/// </summary>
/// <param name="Name">A dotted name for reports (<c>routing.1</c>).</param>
/// <param name="Width">Columns of the node's output.</param>
internal abstract record ServingNode(string Name, int Width)
{
    /// <summary>The nodes it reads.</summary>
    public abstract IReadOnlyList<int> Sources { get; }

    /// <summary>Multiply-add FLOPs per row (2 per multiply-add; biases, activations and softmax not counted).</summary>
    public abstract long FlopsPerRow { get; }

    /// <summary>Routing connections with a non-zero gate, and all routing connections (0 and 0 for other nodes).</summary>
    public virtual (int Live, int Total) Connections => (0, 0);

    /// <summary>Names of the sub-networks (linear groups) it computes, for reporting what pruning removed.</summary>
    public virtual IEnumerable<string> GroupNames => [];

    /// <summary>Checks its sizes against the nodes it reads.</summary>
    /// <exception cref="ArgumentException">A width disagrees; the message names the node.</exception>
    public virtual void Validate(IReadOnlyList<ServingNode> nodes) { }

    /// <summary>
    /// What is left of the node when only the columns marked in <paramref name="wanted"/> are read, marking
    /// in <paramref name="needed"/>[source] the columns of its sources that it then reads. Walking the graph
    /// from the task heads down with this is the whole pruner (<see cref="ServingGraph.Prune"/>).
    /// </summary>
    public abstract ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed);

    /// <summary>The same computation in a faster form (for example side-by-side products merged into one).</summary>
    public virtual ServingNode Fuse() => this;

    /// <summary>Prepares the node to run as node <paramref name="index"/> (weights packed once).</summary>
    public abstract PreparedNode Prepare(int index);

    /// <summary>One line for <c>snr inspect</c>.</summary>
    public abstract string Describe();

    private protected static bool Any(ReadOnlySpan<bool> mask, int offset, int count) => mask.Slice(offset, count).Contains(true);

    private protected static void Mark(bool[] mask, int offset, int count) => Array.Fill(mask, true, offset, count);

    private protected void RequireWidth(IReadOnlyList<ServingNode> nodes, int source, int expected)
    {
        if (nodes[source].Width != expected)
            throw new ArgumentException($"Node '{Name}' expects an input of width {expected} but node {source} '{nodes[source].Name}' has width {nodes[source].Width}.");
    }
}

/// <summary>A serving node ready to run: reads its sources' buffers in a workspace and writes its own.</summary>
internal abstract class PreparedNode(int index)
{
    /// <summary>The node's position in the graph (its buffer in the workspace).</summary>
    protected int Index { get; } = index;

    /// <summary>Scratch floats per row the node needs in the workspace.</summary>
    public virtual int ScratchPerRow => 0;

    /// <summary>Computes the node's output for <paramref name="rows"/> rows.</summary>
    public abstract void Run(ServingWorkspace workspace, int rows, int maxThreads);

    /// <summary>y[r, offset .. offset + bias.Length) = act(y[r, …] + bias) for every row r of a [rows, width] buffer.</summary>
    protected static void AddBiasActivate(Span<float> y, int rows, int width, int offset, ReadOnlySpan<float> bias, ServingActivation activation)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> block = y.Slice(r * width + offset, bias.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(block, bias, block);
            if (activation == ServingActivation.Relu) Activations.Relu(block, block);
        }
    }
}

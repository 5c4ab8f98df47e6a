namespace Snr.Core.Serving;

/// <summary>
/// One calling thread's working memory for a compiled graph: a [rows, width] buffer per node and a scratch
/// area, sized for <see cref="Rows"/> rows once, so that scoring allocates nothing.
/// </summary>
internal sealed class ServingWorkspace
{
    private readonly float[][] _buffers;
    private readonly int[] _widths;
    private readonly float[] _scratch;

    public ServingWorkspace(IReadOnlyList<ServingNode> nodes, IReadOnlyList<PreparedNode> prepared, int rows)
    {
        Rows = rows;
        _widths = [.. nodes.Select(n => n.Width)];
        _buffers = [.. nodes.Select(n => new float[rows * n.Width])];
        _scratch = new float[rows * prepared.Select(p => p.ScratchPerRow).DefaultIfEmpty(0).Max()];
    }

    /// <summary>Rows each buffer holds.</summary>
    public int Rows { get; }

    /// <summary>Node <paramref name="node"/>'s output, [rows, width].</summary>
    public Span<float> Buffer(int node, int rows) => _buffers[node].AsSpan(0, rows * _widths[node]);

    /// <summary>Columns of node <paramref name="node"/>'s output.</summary>
    public int Width(int node) => _widths[node];

    /// <summary>Scratch memory of <paramref name="length"/> floats (shared by all nodes, valid during one node's run).</summary>
    public Span<float> Scratch(int length) => _scratch.AsSpan(0, length);
}

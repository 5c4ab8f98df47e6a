using System.Numerics.Tensors;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// A trained model compiled for serving: deterministic gates, pruned connections and
/// sub-networks removed, bias and activation fused, no tape. One predictor is safe to share
/// between any number of threads, and a call allocates nothing once each thread's working
/// memory exists.
/// </summary>
/// <remarks>
/// Every weight is prepared when the predictor is compiled (<see cref="PreparedMatmul"/>): the live blocks
/// of each routed layer listed, the weights packed for the GEMM engine, and for calls of fewer than four
/// rows (a request) copied into the layout one row streams fastest, with wide layers split across cores
/// when <see cref="PredictorOptions.MaxThreads"/> allows. The predictor therefore holds its weights three
/// times (1.8 MB each for the canonical SNR-Trans). A row of a one-to-three-row call scores the same bits
/// alone or with the others and on any number of threads; larger calls agree with it to rounding.
/// </remarks>
public sealed class Predictor
{
    private readonly ServingGraph _graph;
    private readonly EmbeddingTable[] _embeddings;
    private readonly int[] _embeddingOffsets;
    private readonly int _inputWidth;
    // Per node (per group of a grouped node): its matrix product with the weight prepared once; empty for other nodes.
    private readonly PreparedMatmul[][] _products;
    // One working memory per calling thread, made on its first call: no lock, no sharing, nothing allocated afterwards.
    private readonly ThreadLocal<Workspace> _workspaces;

    private Predictor(ServingGraph original, ServingGraph pruned, PredictorOptions options)
    {
        _graph = ServingFusion.Fuse(pruned);
        _products = _graph.Nodes.Select(node => node switch
        {
            GroupedLinearNode g => g.Groups.Select(group => new PreparedMatmul(group.Weight, group.OutWidth, group.InWidth)).ToArray(),
            RoutedNode r => [new PreparedMatmul(r.Weight, r.KOut, r.HOut, r.KIn, r.HIn, r.Gates)],
            _ => Array.Empty<PreparedMatmul>(),
        }).ToArray();
        _workspaces = new ThreadLocal<Workspace>(() => new Workspace(_graph, options.RowsPerChunk));
        Options = options;
        Tasks = pruned.Outputs.Select(o => o.Task).ToArray();
        Summary = ServingSummary.Of(original, pruned);
        _embeddings = [.. pruned.Embeddings];
        _inputWidth = pruned.InputWidth; // computed once: the graph's property sums with LINQ
        _embeddingOffsets = new int[_embeddings.Length];
        for (int e = 0, offset = pruned.NumericInputs; e < _embeddings.Length; offset += _embeddings[e].Dim, e++)
            _embeddingOffsets[e] = offset;
    }

    /// <summary>
    /// Compiles <paramref name="graph"/> for the given tasks (all when null), removing every
    /// connection whose gate is 0 and every part of the model those tasks do not reach.
    /// </summary>
    /// <exception cref="ArgumentException">A task is unknown, or the graph is inconsistent (a node reads a later node, widths disagree).</exception>
    public static Predictor Compile(ServingGraph graph, IEnumerable<string>? tasks = null, PredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Validate(graph);
        var outputs = tasks is null
            ? graph.Outputs
            : tasks.Select(t => graph.Outputs.FirstOrDefault(o => o.Task == t)
                ?? throw new ArgumentException($"The model has no task '{t}'; its tasks are {string.Join(", ", graph.Outputs.Select(o => o.Task))}.", nameof(tasks))).ToArray();
        options ??= new PredictorOptions();
        if (options.RowsPerChunk < 1) throw new ArgumentOutOfRangeException(nameof(options), "PredictorOptions.RowsPerChunk must be at least 1.");
        return new Predictor(graph, ServingPruner.Prune(graph, outputs), options);
    }

    /// <summary>The tasks this predictor computes, in output-column order.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>What is left after pruning and what it costs per row.</summary>
    public ServingSummary Summary { get; }

    /// <summary>The options it runs with.</summary>
    public PredictorOptions Options { get; }

    /// <summary>
    /// The graph it runs: pruned, with side-by-side groups that read the same input fused into one. Its arrays
    /// must not be changed: the predictor packed copies of the weights when it was compiled.
    /// </summary>
    public ServingGraph Graph => _graph;

    /// <summary>Numeric inputs per row.</summary>
    public int NumericInputs => _graph.NumericInputs;

    /// <summary>Categorical inputs (embedding indices) per row.</summary>
    public int CategoricalInputs => _embeddings.Length;

    /// <summary>
    /// Scores rows: <paramref name="numeric"/> is [rows, NumericInputs] (standardised as in
    /// training), <paramref name="categorical"/> is [rows, CategoricalInputs] embedding indices,
    /// and <paramref name="outputs"/> receives [rows, Tasks.Count]: a probability for a binary
    /// task, a value for a regression task. rows = outputs.Length / Tasks.Count.
    /// </summary>
    /// <exception cref="ArgumentException">The spans' lengths do not describe the same number of rows (checked before anything is written).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An embedding index is outside its table.</exception>
    public void Predict(ReadOnlySpan<float> numeric, ReadOnlySpan<int> categorical, Span<float> outputs)
    {
        int tasks = Tasks.Count;
        if (tasks == 0 || outputs.Length % tasks != 0)
            throw new ArgumentException($"outputs has {outputs.Length} elements, not a multiple of the {tasks} tasks.", nameof(outputs));
        int rows = outputs.Length / tasks;
        if (numeric.Length != rows * NumericInputs)
            throw new ArgumentException($"numeric has {numeric.Length} values but {rows} rows × {NumericInputs} numeric inputs need {rows * NumericInputs}.", nameof(numeric));
        if (categorical.Length != rows * CategoricalInputs)
            throw new ArgumentException($"categorical has {categorical.Length} values but {rows} rows × {CategoricalInputs} categorical inputs need {rows * CategoricalInputs}.", nameof(categorical));
        for (int i = 0; i < categorical.Length; i++)
            if ((uint)categorical[i] >= (uint)_embeddings[i % CategoricalInputs].Rows)
                ThrowIndexOutOfRange(categorical[i], i);

        var workspace = _workspaces.Value!;
        for (int start = 0; start < rows; start += Options.RowsPerChunk)
        {
            int count = Math.Min(Options.RowsPerChunk, rows - start);
            Run(workspace, numeric.Slice(start * NumericInputs, count * NumericInputs),
                categorical.Slice(start * CategoricalInputs, count * CategoricalInputs), count, outputs.Slice(start * tasks, count * tasks));
        }
    }

    /// <summary>Scores rows of a model whose inputs are all numeric: <paramref name="features"/> is [rows, NumericInputs].</summary>
    /// <exception cref="InvalidOperationException">The model has categorical inputs.</exception>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    public void Predict(ReadOnlySpan<float> features, Span<float> outputs)
    {
        if (CategoricalInputs != 0)
            throw new InvalidOperationException($"The model has {CategoricalInputs} categorical inputs; use Predict(numeric, categorical, outputs).");
        Predict(features, ReadOnlySpan<int>.Empty, outputs);
    }

    private void ThrowIndexOutOfRange(int index, int position)
    {
        var table = _embeddings[position % CategoricalInputs];
        throw new ArgumentOutOfRangeException("categorical", $"Index {index} of row {position / CategoricalInputs} is outside embedding '{table.Name}' ({table.Rows} rows).");
    }

    private void Run(Workspace w, ReadOnlySpan<float> numeric, ReadOnlySpan<int> categorical, int rows, Span<float> outputs)
    {
        AssembleInput(w.Buffers[0], numeric, categorical, rows);
        var nodes = _graph.Nodes;
        for (int index = 1; index < nodes.Count; index++)
        {
            Span<float> y = w.Buffers[index].AsSpan(0, rows * nodes[index].Width);
            switch (nodes[index])
            {
                case GroupedLinearNode g:
                    RunGrouped(g, _products[index], Source(w, nodes, g.Source, rows), y, rows);
                    break;
                case RoutedNode r:
                    _products[index][0].Multiply(Source(w, nodes, r.Source, rows), r.KIn * r.HIn, y, r.Width, rows, Options.MaxThreads);
                    for (int i = 0; i < r.KOut; i++)
                        if (HasLiveGate(r.Gates, i, r.KIn))
                            BiasActivation(y, rows, r.Width, i * r.HOut, r.Bias.AsSpan(i * r.HOut, r.HOut), r.Activation);
                    break;
                case AveragedNode a:
                    RunAveraged(a, Source(w, nodes, a.Source, rows), y, rows);
                    break;
                case MixtureNode m:
                    RunMixture(m, Source(w, nodes, m.ExpertSource, rows), Source(w, nodes, m.GateSource, rows), y, rows, w.Softmax);
                    break;
            }
        }
        int tasks = _graph.Outputs.Count;
        for (int t = 0; t < tasks; t++)
        {
            var o = _graph.Outputs[t];
            int width = nodes[o.Node].Width;
            float[] source = w.Buffers[o.Node];
            for (int r = 0; r < rows; r++)
            {
                float v = source[r * width + o.Column];
                outputs[r * tasks + t] = o.Binary ? 1f / (1f + MathF.Exp(-v)) : v;
            }
        }
    }

    // input[r] = [numeric[r] | table₀[categorical[r, 0]] | table₁[categorical[r, 1]] | …]
    private void AssembleInput(float[] input, ReadOnlySpan<float> numeric, ReadOnlySpan<int> categorical, int rows)
    {
        int width = _inputWidth, n = NumericInputs, c = CategoricalInputs;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = input.AsSpan(r * width, width);
            numeric.Slice(r * n, n).CopyTo(row);
            for (int e = 0; e < c; e++)
            {
                var table = _embeddings[e];
                table.Table.AsSpan(categorical[r * c + e] * table.Dim, table.Dim).CopyTo(row.Slice(_embeddingOffsets[e]));
            }
        }
    }

    // For each kept group: y[:, out] = act(x[:, in]·Wᵀ + b), read and written in place through leading dimensions.
    private void RunGrouped(GroupedLinearNode g, PreparedMatmul[] products, ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        int xWidth = x.Length / rows;
        for (int i = 0; i < g.Groups.Count; i++) // an indexed loop: foreach over an interface would allocate an enumerator per call
        {
            var group = g.Groups[i];
            products[i].Multiply(x[group.InOffset..], xWidth, y[group.OutOffset..], g.Width, rows, Options.MaxThreads);
            BiasActivation(y, rows, g.Width, group.OutOffset, group.Bias, g.Activation);
        }
    }

    // y_i = Σ_j z_ij·x_j over live connections
    private static void RunAveraged(AveragedNode a, ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        int xWidth = a.KIn * a.H;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < a.KOut; i++)
            {
                if (!HasLiveGate(a.Gates, i, a.KIn)) continue;
                Span<float> yi = y.Slice(r * a.Width + i * a.H, a.H);
                yi.Clear();
                for (int j = 0; j < a.KIn; j++)
                {
                    float z = a.Gates[i * a.KIn + j];
                    if (z != 0f) TensorPrimitives.MultiplyAdd(x.Slice(r * xWidth + j * a.H, a.H), z, yi, yi);
                }
            }
    }

    // y_t = Σ_e softmax(gates[:, t·E..])_e · expert_e
    private static void RunMixture(MixtureNode m, ReadOnlySpan<float> experts, ReadOnlySpan<float> gates, Span<float> y, int rows, float[] softmax)
    {
        int expertWidth = m.Experts * m.ExpertWidth, gateWidth = gates.Length / rows;
        Span<float> g = softmax.AsSpan(0, m.Experts);
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < m.Tasks; t++)
            {
                TensorPrimitives.SoftMax(gates.Slice(r * gateWidth + t * m.Experts, m.Experts), g);
                Span<float> yt = y.Slice(r * m.Width + t * m.ExpertWidth, m.ExpertWidth);
                yt.Clear();
                for (int e = 0; e < m.Experts; e++)
                    TensorPrimitives.MultiplyAdd(experts.Slice(r * expertWidth + e * m.ExpertWidth, m.ExpertWidth), g[e], yt, yt);
            }
    }

    private static void BiasActivation(Span<float> y, int rows, int width, int offset, ReadOnlySpan<float> bias, ServingActivation activation)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> block = y.Slice(r * width + offset, bias.Length);
            TensorPrimitives.Add(block, bias, block);
            if (activation == ServingActivation.Relu) TensorPrimitives.Max(block, 0f, block);
        }
    }

    private static bool HasLiveGate(float[] gates, int row, int kIn) => gates.AsSpan(row * kIn, kIn).IndexOfAnyExcept(0f) >= 0;

    private static ReadOnlySpan<float> Source(Workspace w, IReadOnlyList<ServingNode> nodes, int index, int rows) =>
        w.Buffers[index].AsSpan(0, rows * nodes[index].Width);

    private static void Validate(ServingGraph graph)
    {
        var nodes = graph.Nodes;
        if (nodes.Count == 0 || nodes[0] is not InputNode input || input.Width != graph.InputWidth)
            throw new ArgumentException($"Node 0 must be the input node of width {graph.InputWidth} (numeric inputs plus embedding dimensions).", nameof(graph));
        for (int index = 1; index < nodes.Count; index++)
        {
            var node = nodes[index];
            (int source, int expectedWidth) = node switch
            {
                GroupedLinearNode g => (g.Source, -1),
                RoutedNode r => (r.Source, r.KIn * r.HIn),
                AveragedNode a => (a.Source, a.KIn * a.H),
                MixtureNode m => (Math.Max(m.ExpertSource, m.GateSource), -1),
                _ => throw new ArgumentException($"Node {index} '{node.Name}' is of an unknown kind {node.GetType().Name}.", nameof(graph)),
            };
            if (source < 0 || source >= index)
                throw new ArgumentException($"Node {index} '{node.Name}' reads node {source}, which does not run before it.", nameof(graph));
            if (expectedWidth >= 0 && nodes[source].Width != expectedWidth)
                throw new ArgumentException($"Node {index} '{node.Name}' expects an input of width {expectedWidth} but node {source} '{nodes[source].Name}' has width {nodes[source].Width}.", nameof(graph));
            if (node is GroupedLinearNode grouped)
                foreach (var g in grouped.Groups)
                    if (g.InOffset + g.InWidth > nodes[grouped.Source].Width || g.OutOffset + g.OutWidth > grouped.Width || g.Weight.Length != g.InWidth * g.OutWidth || g.Bias.Length != g.OutWidth)
                        throw new ArgumentException($"Group '{g.Name}' of node '{grouped.Name}' does not fit: in [{g.InOffset}, +{g.InWidth}), out [{g.OutOffset}, +{g.OutWidth}), weight {g.Weight.Length}, bias {g.Bias.Length}.", nameof(graph));
        }
        foreach (var o in graph.Outputs)
            if (o.Node <= 0 || o.Node >= nodes.Count || o.Column < 0 || o.Column >= nodes[o.Node].Width)
                throw new ArgumentException($"Task '{o.Task}' reads column {o.Column} of node {o.Node}, which does not exist.", nameof(graph));
    }

    private sealed class Workspace(ServingGraph graph, int rows)
    {
        public readonly float[][] Buffers = graph.Nodes.Select(n => new float[rows * n.Width]).ToArray();
        public readonly float[] Softmax = new float[Math.Max(1, graph.Nodes.OfType<MixtureNode>().Select(m => m.Experts).DefaultIfEmpty(1).Max())];
    }

}

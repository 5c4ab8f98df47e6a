using Snr.Core.Models;

namespace Snr.Core.Serving;

/// <summary>
/// A trained model compiled for serving: deterministic gates, pruned connections and sub-networks removed,
/// bias and activation fused, no tape. It is the one forward pass every evaluation runs — the validation
/// metrics during training, <c>snr eval</c>, the reports and serving — so the numbers a user is shown are
/// computed by the code that serves them. One predictor is safe to share between any number of threads, and a
/// call allocates nothing once each thread's working memory exists.
/// </summary>
/// <remarks>
/// Every weight is prepared when the predictor is compiled: the live blocks of each routed layer listed, the
/// weights packed for the GEMM engine, and for calls of fewer than four rows (a request) copied into the layout
/// one row streams fastest, with wide layers split across cores when <see cref="PredictorOptions.MaxThreads"/>
/// allows. The predictor therefore holds its weights three times (1.8 MB each for the canonical SNR-Trans). A
/// row of a one-to-three-row call scores the same bits alone or with the others and on any number of threads;
/// larger calls agree with it to rounding. Dispose it to release the per-thread working memory.
/// </remarks>
public sealed class Predictor : IDisposable
{
    private readonly ServingGraph _graph;
    private readonly PreparedNode[] _nodes;
    private readonly EmbeddingTable[] _embeddings;
    private readonly int[] _embeddingOffsets;
    // One working memory per calling thread, made on its first call: no lock, no sharing, nothing allocated afterwards.
    private readonly ThreadLocal<ServingWorkspace> _workspaces;

    private Predictor(ServingGraph original, ServingGraph pruned, PredictorOptions options)
    {
        _graph = pruned.Fuse();
        _nodes = [.. _graph.Nodes.Select((node, index) => node.Prepare(index))];
        _workspaces = new ThreadLocal<ServingWorkspace>(() => new ServingWorkspace(_graph.Nodes, _nodes, options.RowsPerChunk));
        Options = options;
        Tasks = [.. pruned.Outputs.Select(o => o.Task)];
        Summary = ServingSummary.Of(original, pruned);
        _embeddings = [.. pruned.Embeddings];
        _embeddingOffsets = new int[_embeddings.Length];
        for (int e = 0, offset = pruned.NumericInputs; e < _embeddings.Length; offset += _embeddings[e].Dim, e++)
            _embeddingOffsets[e] = offset;
    }

    /// <summary>
    /// Compiles <paramref name="model"/> as it is now (its weights are copied: further training does not change
    /// the predictor) for the given tasks (all when null), removing every connection whose serving gate is 0 and
    /// every part of the model those tasks do not reach.
    /// </summary>
    /// <exception cref="ArgumentException">A task is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public static Predictor Compile(MultiTaskModel model, IEnumerable<string>? tasks = null, PredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compile(model.ServingGraph(), tasks, options);
    }

    /// <summary>Compiles a serving graph (see <see cref="Compile(MultiTaskModel, IEnumerable{string}?, PredictorOptions?)"/>).</summary>
    /// <exception cref="ArgumentException">A task is unknown, or the graph is inconsistent (a node reads a later node, widths disagree).</exception>
    internal static Predictor Compile(ServingGraph graph, IEnumerable<string>? tasks = null, PredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.Validate();
        var outputs = tasks is null
            ? graph.Outputs
            : [.. tasks.Select(t => graph.Outputs.FirstOrDefault(o => o.Task == t)
                ?? throw new ArgumentException($"The model has no task '{t}'; its tasks are {string.Join(", ", graph.Outputs.Select(o => o.Task))}.", nameof(tasks)))];
        options ??= new PredictorOptions();
        if (options.RowsPerChunk < 1) throw new ArgumentOutOfRangeException(nameof(options), "PredictorOptions.RowsPerChunk must be at least 1.");
        return new Predictor(graph, graph.Prune(outputs), options);
    }

    /// <summary>The tasks this predictor computes, in output-column order.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>What is left after pruning and what it costs per row.</summary>
    public ServingSummary Summary { get; }

    /// <summary>The options it runs with.</summary>
    public PredictorOptions Options { get; }

    /// <summary>The graph it runs (pruned and fused), for exporters and tests.</summary>
    internal ServingGraph Graph => _graph;

    /// <summary>One line per node of the graph it runs (pruned and fused), for reports such as <c>snr inspect</c>.</summary>
    public IReadOnlyList<string> DescribeGraph() => [.. _graph.Nodes.Select(n => n.Describe())];

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
    /// <exception cref="ObjectDisposedException">The predictor was disposed.</exception>
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
        int chunk = workspace.Rows;
        for (int start = 0; start < rows; start += chunk)
        {
            int count = Math.Min(chunk, rows - start);
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

    /// <summary>Releases every thread's working memory; the predictor cannot score afterwards.</summary>
    public void Dispose() => _workspaces.Dispose();

    private void ThrowIndexOutOfRange(int index, int position)
    {
        var table = _embeddings[position % CategoricalInputs];
        throw new ArgumentOutOfRangeException("categorical", $"Index {index} of row {position / CategoricalInputs} is outside embedding '{table.Name}' ({table.Rows} rows).");
    }

    private void Run(ServingWorkspace w, ReadOnlySpan<float> numeric, ReadOnlySpan<int> categorical, int rows, Span<float> outputs)
    {
        AssembleInput(w.Buffer(0, rows), numeric, categorical, rows);
        for (int index = 1; index < _nodes.Length; index++) _nodes[index].Run(w, rows, Options.MaxThreads);
        int tasks = _graph.Outputs.Count;
        for (int t = 0; t < tasks; t++)
        {
            var o = _graph.Outputs[t];
            int width = w.Width(o.Node);
            ReadOnlySpan<float> source = w.Buffer(o.Node, rows);
            for (int r = 0; r < rows; r++)
            {
                float v = source[r * width + o.Column];
                outputs[r * tasks + t] = o.Binary ? 1f / (1f + MathF.Exp(-v)) : v;
            }
        }
    }

    // input[r] = [numeric[r] | table₀[categorical[r, 0]] | table₁[categorical[r, 1]] | …]
    private void AssembleInput(Span<float> input, ReadOnlySpan<float> numeric, ReadOnlySpan<int> categorical, int rows)
    {
        int width = _graph.InputWidth, n = NumericInputs, c = CategoricalInputs;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = input.Slice(r * width, width);
            numeric.Slice(r * n, n).CopyTo(row);
            for (int e = 0; e < c; e++)
            {
                var table = _embeddings[e];
                table.Table.AsSpan(categorical[r * c + e] * table.Dim, table.Dim).CopyTo(row.Slice(_embeddingOffsets[e]));
            }
        }
    }
}

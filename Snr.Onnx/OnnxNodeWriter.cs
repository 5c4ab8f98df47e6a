using Snr.Core.Serving;

namespace Snr.Onnx;

/// <summary>
/// Translates a compiled predictor's serving graph (pruned and fused) into ONNX nodes, one
/// node kind at a time. It is the only code of Snr.Onnx that reads the serving-graph records.
/// </summary>
/// <remarks>
/// A serving node's output is a row of pieces: the groups of a grouped linear node, the output
/// blocks of a routing level, the per-task mixtures. The writer works back from the task
/// heads and writes a piece only when something reads it, after the pieces it reads, so the ONNX
/// nodes come out in dependency order and what no task reaches is never written. A gate is a
/// constant: a routed output block i becomes one Gemm over its live input blocks only, with
/// z_ij folded into the weight (act(Σ_j z_ij·x_j·W_ijᵀ + b_i)); an output block whose gates are
/// all zero is the constant act(b_i), as in the model's forward.
/// </remarks>
internal sealed class OnnxNodeWriter
{
    private readonly ServingGraph _graph;
    private readonly OnnxGraph _onnx;
    private readonly OnnxFeatures _features;
    private readonly Dictionary<(int Node, int Piece), string> _pieces = [];
    private readonly Dictionary<(int Node, int Offset, int Width), string> _columns = [];
    private readonly Dictionary<int, string> _expertStacks = [];

    private OnnxNodeWriter(ServingGraph graph, OnnxGraph onnx, OnnxFeatures features) =>
        (_graph, _onnx, _features) = (graph, onnx, features);

    /// <summary>Writes the nodes that compute every task of <paramref name="graph"/> from <paramref name="features"/>, and one output per task named after it.</summary>
    /// <exception cref="ArgumentException">The features do not match the graph's inputs.</exception>
    public static void Write(ServingGraph graph, OnnxGraph onnx, OnnxFeatures features)
    {
        if ((features.Numeric is null) != (graph.NumericInputs == 0) || features.CategoryRows.Count != graph.Embeddings.Count)
            throw new ArgumentException($"The model has {graph.NumericInputs} numeric and {graph.Embeddings.Count} categorical inputs; the ONNX inputs give {(features.Numeric is null ? "no" : "some")} numeric and {features.CategoryRows.Count} categorical ones.");
        var writer = new OnnxNodeWriter(graph, onnx, features);
        foreach (var o in graph.Outputs)
            onnx.Output(o.Task, o.Binary ? "Sigmoid" : "Identity", writer.Columns(o.Node, o.Column, 1), 1);
    }

    // Columns [offset, offset + width) of a node's output as one [N, width] tensor: its pieces, cut and joined as needed.
    private string Columns(int node, int offset, int width)
    {
        if (_columns.TryGetValue((node, offset, width), out var cached)) return cached;
        var parts = new List<string>();
        int covered = offset, end = offset + width;
        var pieces = Pieces(_graph.Nodes[node]);
        for (int p = 0; p < pieces.Count && covered < end; p++)
        {
            var (start, count) = pieces[p];
            if (start + count <= covered || start >= end) continue;
            if (start > covered) break;
            string tensor = Piece(node, p);
            int from = covered - start, to = Math.Min(end, start + count) - start;
            parts.Add(from == 0 && to == count ? tensor : Slice(tensor, from, to));
            covered = start + to;
        }
        if (covered < end)
            throw new InvalidOperationException($"Column {covered} of serving node '{_graph.Nodes[node].Name}' is read but was pruned.");
        string result = parts.Count == 1 ? parts[0] : _onnx.Node("Concat", "concat", parts, OnnxGraph.Attribute("axis", 1));
        _columns[(node, offset, width)] = result;
        return result;
    }

    // The column ranges a node writes, piece by piece, in column order.
    private static IReadOnlyList<(int Offset, int Width)> Pieces(ServingNode node) => node switch
    {
        InputNode i => [(0, i.Width)],
        GroupedLinearNode g => [.. ByColumn(g).Select(x => (x.OutOffset, x.OutWidth))],
        RoutedNode r => Blocks(r.KOut, r.HOut),
        AveragedNode a => Blocks(a.KOut, a.H),
        MixtureNode m => Blocks(m.Tasks, m.ExpertWidth),
        _ => throw new NotSupportedException($"Serving node '{node.Name}' is of a kind ({node.GetType().Name}) the ONNX export does not know."),
    };

    private static LinearGroup[] ByColumn(GroupedLinearNode g) => [.. g.Groups.OrderBy(x => x.OutOffset)];

    private static (int, int)[] Blocks(int count, int width) => [.. Enumerable.Range(0, count).Select(i => (i * width, width))];

    private string Piece(int node, int piece)
    {
        if (_pieces.TryGetValue((node, piece), out var cached)) return cached;
        string tensor = _graph.Nodes[node] switch
        {
            InputNode => DenseInput(),
            GroupedLinearNode g => Group(g, ByColumn(g)[piece]),
            RoutedNode r => RoutedBlock(r, piece),
            AveragedNode a => AveragedBlock(a, piece),
            MixtureNode m => Mixture(m, node, piece),
            var other => throw new NotSupportedException($"Serving node '{other.Name}' is of a kind ({other.GetType().Name}) the ONNX export does not know."),
        };
        _pieces[(node, piece)] = tensor;
        return tensor;
    }

    // [numeric | table₀[rows₀] | table₁[rows₁] | …]
    private string DenseInput()
    {
        var parts = new List<string>();
        if (_features.Numeric is { } numeric) parts.Add(numeric);
        for (int e = 0; e < _graph.Embeddings.Count; e++)
        {
            var table = _graph.Embeddings[e];
            string weights = _onnx.Constant(table.Name, table.Table, table.Rows, table.Dim);
            parts.Add(_onnx.Node("Gather", table.Name, [weights, _features.CategoryRows[e]], OnnxGraph.Attribute("axis", 0)));
        }
        return parts.Count == 1 ? parts[0] : _onnx.Node("Concat", "input", parts, OnnxGraph.Attribute("axis", 1));
    }

    // act(x[:, in]·Wᵀ + b)
    private string Group(GroupedLinearNode node, LinearGroup group)
    {
        string x = Columns(node.Source, group.InOffset, group.InWidth);
        return Linear(group.Name, x, group.Weight, group.Bias, group.InWidth, group.OutWidth, node.Activation);
    }

    // act(Σ_{j live} z_ij·x_j·W_ijᵀ + b_i) as one Gemm over the live input blocks side by side; act(b_i) when none is live.
    private string RoutedBlock(RoutedNode r, int i)
    {
        var bias = r.Bias.AsSpan(i * r.HOut, r.HOut).ToArray();
        string name = $"{r.Name}.{i}";
        int[] live = LiveInputs(r.Gates, i, r.KIn);
        if (live.Length == 0)
        {
            if (r.Activation == ServingActivation.Relu) for (int k = 0; k < bias.Length; k++) bias[k] = Math.Max(bias[k], 0f);
            return _onnx.Broadcast(name, bias);
        }
        // Row k of the folded weight: for each live j in order, z_ij·W[i·HOut + k, j·HIn .. (j+1)·HIn).
        int inWidth = live.Length * r.HIn, rowWidth = r.KIn * r.HIn;
        var weight = new float[r.HOut * inWidth];
        for (int k = 0; k < r.HOut; k++)
            for (int s = 0; s < live.Length; s++)
            {
                int j = live[s];
                float z = r.Gates[i * r.KIn + j];
                var source = r.Weight.AsSpan((i * r.HOut + k) * rowWidth + j * r.HIn, r.HIn);
                var target = weight.AsSpan(k * inWidth + s * r.HIn, r.HIn);
                for (int c = 0; c < r.HIn; c++) target[c] = z * source[c];
            }
        return Linear(name, LiveBlocks(r.Source, live, r.HIn), weight, bias, inWidth, r.HOut, r.Activation);
    }

    // Σ_{j live} z_ij·x_j; zeros when none is live.
    private string AveragedBlock(AveragedNode a, int i)
    {
        string name = $"{a.Name}.{i}";
        int[] live = LiveInputs(a.Gates, i, a.KIn);
        if (live.Length == 0) return _onnx.Broadcast(name, new float[a.H]);
        var terms = live.Select(j => _onnx.Node("Mul", name, [Columns(a.Source, j * a.H, a.H), _onnx.Constant(name + "/z", [a.Gates[i * a.KIn + j]])])).ToArray();
        _onnx.CountFlops(2L * live.Length * a.H);
        return terms.Length == 1 ? terms[0] : _onnx.Node("Sum", name, terms);
    }

    // Task t: softmax(gate logits)·[expert₀; expert₁; …] as a batched [1, E]·[E, W] product per row.
    private string Mixture(MixtureNode m, int node, int t)
    {
        string name = $"{m.Name}.{t}";
        if (!_expertStacks.TryGetValue(node, out var experts))
        {
            string flat = Columns(m.ExpertSource, 0, m.Experts * m.ExpertWidth);
            experts = _onnx.Node("Reshape", m.Name + "/experts", [flat, _onnx.Constant(m.Name + "/shape", [-1L, m.Experts, m.ExpertWidth], 3)]);
            _expertStacks[node] = experts;
        }
        string weights = _onnx.Node("Softmax", name + "/softmax", [Columns(m.GateSource, t * m.Experts, m.Experts)], OnnxGraph.Attribute("axis", 1));
        string row = _onnx.Node("Unsqueeze", name + "/weights", [weights, _onnx.Constant(name + "/axis", [1L], 1)]);
        string mixed = _onnx.Node("MatMul", name, [row, experts]);
        _onnx.CountFlops(2L * m.Experts * m.ExpertWidth);
        return _onnx.Node("Reshape", name, [mixed, _onnx.Constant(name + "/shape", [-1L, m.ExpertWidth], 2)]);
    }

    // Gemm(x, W, b, transB) then the activation; W is [outputs, inputs] as Snr stores it.
    private string Linear(string name, string x, float[] weight, float[] bias, int inputs, int outputs, ServingActivation activation)
    {
        string y = _onnx.Node("Gemm", name, [x, _onnx.Constant(name + ".weight", weight, outputs, inputs), _onnx.Constant(name + ".bias", bias, outputs)],
            OnnxGraph.Attribute("transB", 1));
        _onnx.CountFlops(2L * inputs * outputs);
        return activation == ServingActivation.Relu ? _onnx.Node("Relu", name, [y]) : y;
    }

    // The live input blocks side by side; adjacent blocks are read as one range (no cut and rejoin).
    private string LiveBlocks(int source, int[] live, int width)
    {
        var runs = new List<string>();
        for (int s = 0; s < live.Length;)
        {
            int run = 1;
            while (s + run < live.Length && live[s + run] == live[s] + run) run++;
            runs.Add(Columns(source, live[s] * width, run * width));
            s += run;
        }
        return runs.Count == 1 ? runs[0] : _onnx.Node("Concat", "live_blocks", runs, OnnxGraph.Attribute("axis", 1));
    }

    private string Slice(string tensor, int from, int to) =>
        _onnx.Node("Slice", "columns", [tensor, _onnx.Constant("start", [(long)from], 1), _onnx.Constant("end", [(long)to], 1), _onnx.Constant("axis", [1L], 1)]);

    private static int[] LiveInputs(float[] gates, int i, int kIn) => [.. Enumerable.Range(0, kIn).Where(j => gates[i * kIn + j] != 0f)];
}

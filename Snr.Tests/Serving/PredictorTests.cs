namespace Snr.Tests.Serving;

/// <summary>
/// A small SNR-Trans model written out by hand as a serving graph, checked against the same
/// computation with the autograd ops: 6 numeric inputs and one embedding (5 × 2) → three
/// level-0 sub-networks (8 → 4, ReLU) → SNR-Trans 3×4 → 2×3 (ReLU) → a tower per task
/// (3 → 2, ReLU) → heads (2 → 1). Task "a" is binary, task "b" a regression.
/// </summary>
public class PredictorTests
{
    private const int Numeric = 6, Rows = 7;
    private static readonly int[] Categorical = [0, 4, 2, 2, 1, 3, 0];

    private sealed record Model(float[] Embedding, float[][] SubW, float[][] SubB, float[] RouteW, float[] RouteB, float[] Gates,
        float[][] TowerW, float[][] TowerB, float[][] HeadW, float[][] HeadB);

    private static Model MakeModel(float[] gates)
    {
        ulong seed = 100;
        float[] N(int n) => TestData.Normal(n, seed++, std: 0.7f);
        return new Model(N(10), [N(32), N(32), N(32)], [N(4), N(4), N(4)], N(6 * 12), N(6), gates,
            [N(6), N(6)], [N(2), N(2)], [N(2), N(2)], [N(1), N(1)]);
    }

    private static ServingGraph Graph(Model m) => new(Numeric,
        [new EmbeddingTable("color", 5, 2, m.Embedding)],
        [
            new InputNode(8),
            new GroupedLinearNode("subnetworks", 0, 12, [.. Enumerable.Range(0, 3).Select(g => new LinearGroup($"subnetworks.{g}", 0, 8, 4 * g, 4, m.SubW[g], m.SubB[g]))], ServingActivation.Relu),
            new RoutedNode("routing.0", 1, 3, 4, 2, 3, m.Gates, m.RouteW, m.RouteB, ServingActivation.Relu),
            new GroupedLinearNode("towers", 2, 4, [.. Enumerable.Range(0, 2).Select(t => new LinearGroup($"towers.{"ab"[t]}", 3 * t, 3, 2 * t, 2, m.TowerW[t], m.TowerB[t]))], ServingActivation.Relu),
            new GroupedLinearNode("heads", 3, 2, [.. Enumerable.Range(0, 2).Select(t => new LinearGroup($"heads.{"ab"[t]}", 2 * t, 2, t, 1, m.HeadW[t], m.HeadB[t]))], ServingActivation.None),
        ],
        [new TaskOutput("a", 4, 0, Binary: true), new TaskOutput("b", 4, 1, Binary: false)]);

    // The same model with the autograd ops: outputs [Rows, 2] (sigmoid for task a).
    private static float[] Reference(Model m, float[] numeric)
    {
        using var _ = Tape.NoGrad();
        Tensor T(float[] v, int r, int c) => Tensor.FromArray(v, Shape.Matrix(r, c));
        Tensor V(float[] v) => Tensor.FromArray(v, Shape.Vector(v.Length));
        var x = Ops.ConcatColumns(T(numeric, Rows, Numeric), Ops.Embedding(T(m.Embedding, 5, 2), Categorical));
        var level0 = Ops.ConcatColumns([.. Enumerable.Range(0, 3).Select(g => Ops.Relu(Ops.Linear(x, T(m.SubW[g], 4, 8), V(m.SubB[g]))))]);
        var routed = Ops.Relu(Ops.SnrTrans(level0, T(m.RouteW, 6, 12), V(m.RouteB), T(m.Gates, 2, 3)));
        var result = new float[Rows * 2];
        for (int t = 0; t < 2; t++)
        {
            var tower = Ops.Relu(Ops.Linear(Ops.SliceColumns(routed, 3 * t, 3), T(m.TowerW[t], 2, 3), V(m.TowerB[t])));
            var head = Ops.Linear(tower, T(m.HeadW[t], 1, 2), V(m.HeadB[t]));
            for (int r = 0; r < Rows; r++)
                result[r * 2 + t] = t == 0 ? 1f / (1f + MathF.Exp(-head.Data[r])) : head.Data[r];
        }
        return result;
    }

    private static readonly float[] OpenGates = [1f, 0.5f, 0.8f, 0.3f, 1f, 0.9f];
    // Sub-network 2 is read by no live gate; output block 1 (task b) reads only sub-network 1.
    private static readonly float[] SparseGates = [1f, 0.5f, 0f, 0f, 0.7f, 0f];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scores_equal_the_autograd_forward_pass(bool sparse)
    {
        var m = MakeModel(sparse ? SparseGates : OpenGates);
        var numeric = TestData.Normal(Rows * Numeric, 7);
        var predictor = Predictor.Compile(Graph(m));
        var outputs = new float[Rows * 2];
        predictor.Predict(numeric, Categorical, outputs);
        TensorAssert.Close(Reference(m, numeric), outputs, 1e-5, "predictor vs ops");
    }

    [Fact]
    public void Pruning_drops_unreached_sub_networks_and_zero_connections()
    {
        var dense = Predictor.Compile(Graph(MakeModel(OpenGates)));
        var sparse = Predictor.Compile(Graph(MakeModel(SparseGates)));
        Assert.Empty(dense.Summary.RemovedGroups);
        Assert.Equal((6, 6), (dense.Summary.LiveConnections, dense.Summary.TotalConnections));
        Assert.Equal(["subnetworks.2"], sparse.Summary.RemovedGroups);
        // The sub-networks all read the whole input: they run as one fused product.
        Assert.Equal("subnetworks.0+subnetworks.1+subnetworks.2", ((GroupedLinearNode)dense.Graph.Nodes[1]).Groups.Single().Name);
        Assert.Equal(3, sparse.Summary.LiveConnections);
        // 2 sub-networks of 8·4, 3 blocks of 4·3 instead of 3 and 6; towers and heads unchanged.
        long towersAndHeads = 2 * (2 * 3 * 2) + 2 * (2 * 2 * 1);
        Assert.Equal(2 * (3 * 8 * 4) + 2 * (6 * 4 * 3) + towersAndHeads, dense.Summary.FlopsPerRow);
        Assert.Equal(2 * (2 * 8 * 4) + 2 * (3 * 4 * 3) + towersAndHeads, sparse.Summary.FlopsPerRow);
    }

    [Fact]
    public void A_subset_of_tasks_touches_only_what_they_need_and_scores_the_same()
    {
        var m = MakeModel(SparseGates);
        var numeric = TestData.Normal(Rows * Numeric, 8);
        var all = new float[Rows * 2];
        Predictor.Compile(Graph(m)).Predict(numeric, Categorical, all);
        var onlyB = Predictor.Compile(Graph(m), ["b"]);
        var b = new float[Rows];
        onlyB.Predict(numeric, Categorical, b);
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => all[r * 2 + 1]), b);
        // Task b reads output block 1, which reads only sub-network 1.
        Assert.Equal(["subnetworks.0", "subnetworks.2", "towers.a", "heads.a"], onlyB.Summary.RemovedGroups);
        Assert.Throws<ArgumentException>(() => Predictor.Compile(Graph(m), ["c"]));
    }

    [Fact]
    public void Many_threads_get_what_one_thread_gets_and_calls_allocate_nothing()
    {
        var m = MakeModel(SparseGates);
        var numeric = TestData.Normal(Rows * Numeric, 9);
        var predictor = Predictor.Compile(Graph(m), options: new PredictorOptions(MaxThreads: 1));
        var expected = new float[Rows * 2];
        predictor.Predict(numeric, Categorical, expected);

        var outputs = new float[Rows * 2];
        predictor.Predict(numeric, Categorical, outputs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) predictor.Predict(numeric, Categorical, outputs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var mismatches = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            var mine = new float[Rows * 2];
            for (int i = 0; i < 200; i++)
            {
                predictor.Predict(numeric, Categorical, mine);
                if (!mine.AsSpan().SequenceEqual(expected)) Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Large_batches_are_cut_into_chunks_with_the_same_results()
    {
        var m = MakeModel(OpenGates);
        var numeric = TestData.Normal(Rows * Numeric, 10);
        var whole = new float[Rows * 2];
        var chunked = new float[Rows * 2];
        Predictor.Compile(Graph(m)).Predict(numeric, Categorical, whole);
        Predictor.Compile(Graph(m), options: new PredictorOptions(RowsPerChunk: 3)).Predict(numeric, Categorical, chunked);
        // Equal up to rounding: the kernels sum in a different order for a few rows than for many.
        TensorAssert.Close(whole, chunked, 1e-6, "chunked vs whole");
    }

    [Fact]
    public void Bad_spans_are_refused_before_anything_is_written()
    {
        var predictor = Predictor.Compile(Graph(MakeModel(OpenGates)));
        var outputs = Enumerable.Repeat(-1f, Rows * 2).ToArray();
        Assert.Throws<ArgumentException>(() => predictor.Predict(new float[Rows * Numeric - 1], Categorical, outputs));
        Assert.Throws<ArgumentException>(() => predictor.Predict(new float[Rows * Numeric], Categorical[..^1], outputs));
        Assert.Throws<ArgumentException>(() => predictor.Predict(new float[Rows * Numeric], Categorical, new float[3]));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Predict(new float[Rows * Numeric], [.. Categorical[..^1], 5], outputs));
        Assert.Contains("color", error.Message);
        Assert.All(outputs, v => Assert.Equal(-1f, v));
        Assert.Throws<InvalidOperationException>(() => predictor.Predict(new float[Rows * Numeric], outputs));
    }

    [Fact]
    public void Averaged_and_mixture_nodes_match_plain_loops()
    {
        // input [3 rows, 6] → SNR-Aver 3 blocks of 2 → 2 blocks; mixture of 3 experts (width 2) for 2 tasks, gate logits = input[:, 0..6).
        float[] x = TestData.Normal(3 * 6, 11), gates = [0.5f, 0f, 1f, 0f, 0f, 0f];
        var graph = new ServingGraph(6, [],
        [
            new InputNode(6),
            new AveragedNode("aver", 0, 3, 2, 2, gates),
            new MixtureNode("mix", 0, 3, 2, 0, 2),
        ],
        [new TaskOutput("aver0", 1, 1, false), new TaskOutput("mix1", 2, 3, false)]);
        var outputs = new float[3 * 2];
        Predictor.Compile(graph).Predict(x, outputs);
        for (int r = 0; r < 3; r++)
        {
            float[] row = x[(r * 6)..(r * 6 + 6)];
            Assert.Equal(0.5f * row[1] + row[5], outputs[r * 2], 1e-6f);
            double[] g = [.. row[3..6].Select(v => Math.Exp(v))];
            double sum = g.Sum(), mix = (g[0] * row[1] + g[1] * row[3] + g[2] * row[5]) / sum;
            Assert.Equal(mix, outputs[r * 2 + 1], 1e-5);
        }
    }
}

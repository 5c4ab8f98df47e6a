namespace Snr.Tests.Serving;

/// <summary>
/// The predictor's products with weights prepared at compile time: packed once for the GEMM engine (batches
/// of four rows or more) and interleaved for requests of one to three rows. Both must score what the model's
/// forward pass scores, and a row of a small call must get the same bits alone, with two others, or on one or
/// two threads.
/// </summary>
public class PredictorPreparedWeightTests
{
    private const int D = 24, Rows = 9;
    private static readonly TaskConfig[] Tasks = [new("click", TaskKind.Binary), new("spend", TaskKind.Regression)];

    // Widths that fit the interleaved layout (multiples of 8), wide enough that the routed layer runs on two threads.
    private static SnrModel Model()
    {
        var snr = (SnrModel)ModelFactory.Create(new SnrConfig
        {
            NumericInputs = D, Tasks = Tasks, Level0Blocks = 4, Level0Hidden = [64], Routing = [new RoutingLevelConfig(4, 64), new RoutingLevelConfig(2, 16)],
            TowerHidden = [8], Seed = 5, InitialLogAlpha = 1f,
        });
        var values = new float[4 * 4];
        Array.Fill(values, float.NaN);
        values[1] = values[6] = values[11] = 0f; // a few closed connections
        snr.Levels[0].Gate.Force(values);
        return snr;
    }

    private static float[] Score(Predictor predictor, float[] x, int rows)
    {
        var outputs = new float[rows * predictor.Tasks.Count];
        predictor.Predict(x.AsSpan(0, rows * D), outputs);
        return outputs;
    }

    [Fact]
    public void The_level_0_and_routed_products_read_the_interleaved_copy()
    {
        var graph = Model().ServingGraph().Fuse();
        Assert.All(graph.Nodes.OfType<RoutedNode>(), r => Assert.True(new PreparedMatmul(r.Weight, r.KOut, r.HOut, r.KIn, r.HIn, r.Gates).Interleaved, r.Name));
        Assert.Contains(graph.Nodes.OfType<GroupedLinearNode>().SelectMany(g => g.Groups), g => new PreparedMatmul(g.Weight, g.OutWidth, g.InWidth).Interleaved);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Single_rows_and_a_whole_batch_score_what_the_model_scores(int threads)
    {
        var model = Model();
        var x = TestData.Normal(Rows * D, 31);
        var predictor = Predictor.Compile(model, options: new PredictorOptions(MaxThreads: threads));
        float[] expected = ModelForward.Scores(model, x);
        TensorAssert.Close(expected, Score(predictor, x, Rows), 1e-5, "the batch (pre-packed weights)");
        for (int r = 0; r < Rows; r++)
            TensorAssert.Close(expected.AsSpan(2 * r, 2).ToArray(), Score(predictor, x[(r * D)..], 1), 1e-5, $"row {r} alone (interleaved weights)");
    }

    [Fact]
    public void A_row_gets_the_same_bits_alone_in_a_few_rows_and_on_any_thread_count()
    {
        var x = TestData.Normal(3 * D, 32);
        var graph = Model().ServingGraph();
        var three = Score(Predictor.Compile(graph, options: new PredictorOptions(MaxThreads: 2)), x, 3);
        foreach (int threads in new[] { 1, 2 })
        {
            var predictor = Predictor.Compile(graph, options: new PredictorOptions(MaxThreads: threads));
            for (int r = 0; r < 3; r++)
                Assert.Equal(three.AsSpan(r * 2, 2).ToArray(), Score(predictor, x[(r * D)..], 1));
        }
    }
}

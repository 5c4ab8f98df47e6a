namespace Snr.Tests.Autograd;

/// <summary>The SNR ops (gates, L0 penalty, SNR-Trans, SNR-Aver) against libtorch and finite differences.</summary>
public class RoutingOpTests
{
    private static readonly HardConcrete Hc = HardConcrete.Default;

    public RoutingOpTests() => Tape.Current.Reset();

    [Fact]
    public void Hard_concrete_training_gates_match_golden()
    {
        OpCheck.AgainstGolden("hard_concrete_train", (t, c) => Ops.HardConcreteGates(t["log_alpha"], Floats(c.Constants["u"]), Hc));
        var golden = Golden.Case("hard_concrete_train");
        using var _ = Tape.NoGrad();
        var logAlpha = golden.Inputs["log_alpha"].ToTensor();
        TensorAssert.Close(golden.ExtraOutputs["z_eval"].Data, Ops.ServingGates(logAlpha, Hc).Data, OpCheck.OutputTolerance, "z_eval");
        TensorAssert.Close(golden.ExtraOutputs["l0"].Data, Ops.L0Penalty(logAlpha, Hc).Data, OpCheck.OutputTolerance, "l0");
    }

    [Fact]
    public void Golden_gates_include_clamped_and_open_ones()
    {
        var golden = Golden.Case("hard_concrete_train");
        Assert.Contains(0.0, golden.Output!.Data);
        Assert.Contains(golden.Output.Data, z => z > 0 && z < 1);
    }

    [Fact]
    public void L0_penalty_matches_golden() =>
        OpCheck.AgainstGolden("l0_penalty", (t, _) => Ops.L0Penalty(t["log_alpha"], Hc));

    [Fact]
    public void Snr_trans_training_matches_golden() =>
        OpCheck.AgainstGolden("snr_trans_train", (t, c) =>
            Ops.Relu(Ops.SnrTrans(t["x"], t["W"], t["b"], Ops.HardConcreteGates(t["log_alpha"], Floats(c.Constants["u"]), Hc))));

    [Fact]
    public void Snr_aver_training_matches_golden() =>
        OpCheck.AgainstGolden("snr_aver_train", (t, c) =>
            Ops.SnrAver(t["x"], Ops.HardConcreteGates(t["log_alpha"], Floats(c.Constants["u"]), Hc)));

    [Fact]
    public void Snr_trans_serving_with_sparse_gates_matches_golden()
    {
        OpCheck.AgainstGolden("snr_trans_eval_sparse", (t, _) =>
            Ops.SnrTrans(t["x"], t["W"], t["b"], Ops.ServingGates(t["log_alpha"], Hc)));
        Assert.Contains(0.0, Golden.Case("snr_trans_eval_sparse").ExtraOutputs["z"].Data);
    }

    // kIn ≠ kOut, widths that are not multiples of 8, some gates clamped at 0 or 1 and the rest well inside.
    [Theory]
    [InlineData(3, 2, 5, 3, 4)]
    [InlineData(2, 4, 3, 13, 1)]
    [InlineData(4, 4, 9, 7, 6)]
    public void Snr_trans_gradients_match_finite_differences(int kIn, int kOut, int hIn, int hOut, int batch)
    {
        var x = TestData.Normal(Shape.Matrix(batch, kIn * hIn), 30);
        var w = TestData.Normal(Shape.Matrix(kOut * hOut, kIn * hIn), 31, std: 0.5f);
        var b = TestData.Normal(Shape.Vector(kOut * hOut), 32);
        var logAlpha = MixedLogAlpha(kOut, kIn);
        var noise = Enumerable.Repeat(0.5f, kOut * kIn).ToArray();
        OpCheck.AgainstFiniteDifferences(t => Ops.SnrTrans(t[0], t[1], t[2], Ops.HardConcreteGates(t[3], noise, Hc)), x, w, b, logAlpha);
        OpCheck.AgainstFiniteDifferences(t => Ops.SnrTrans(t[0], t[1], null, Ops.ServingGates(t[2], Hc)), x, w, logAlpha);
        // Gates given directly (all non-zero, so every block's gradient is the true one).
        var gates = Tensor.FromArray(Enumerable.Range(0, kOut * kIn).Select(i => 0.2f + 0.7f * (i % 5) / 4f).ToArray(), Shape.Matrix(kOut, kIn), requiresGrad: true);
        OpCheck.AgainstFiniteDifferences(t => Ops.SnrTrans(t[0], t[1], t[2], t[3]), x, w, b, gates);
    }

    [Theory]
    [InlineData(3, 2, 5, 4)]
    [InlineData(2, 3, 12, 1)]
    public void Snr_aver_gradients_match_finite_differences(int kIn, int kOut, int h, int batch)
    {
        var x = TestData.Normal(Shape.Matrix(batch, kIn * h), 33);
        var logAlpha = MixedLogAlpha(kOut, kIn);
        var noise = Enumerable.Repeat(0.5f, kOut * kIn).ToArray();
        OpCheck.AgainstFiniteDifferences(t => Ops.SnrAver(t[0], Ops.HardConcreteGates(t[1], noise, Hc)), x, logAlpha);
        var gates = Tensor.FromArray(Enumerable.Range(0, kOut * kIn).Select(i => 0.3f + 0.1f * i).ToArray(), Shape.Matrix(kOut, kIn), requiresGrad: true);
        OpCheck.AgainstFiniteDifferences(t => Ops.SnrAver(t[0], t[1]), x, gates);
    }

    [Fact]
    public void L0_penalty_gradients_match_finite_differences() =>
        OpCheck.AgainstFiniteDifferences(t => Ops.L0Penalty(t[0], Hc), TestData.Normal(Shape.Matrix(3, 5), 34, std: 2));

    [Fact]
    public void All_gates_open_is_a_dense_layer_up_to_summation_order()
    {
        var x = TestData.Normal(Shape.Matrix(6, 4 * 5), 35);
        var w = TestData.Normal(Shape.Matrix(2 * 3, 4 * 5), 36);
        var b = TestData.Normal(Shape.Vector(6), 37);
        var ones = Tensor.FromArray(Enumerable.Repeat(1f, 8).ToArray(), Shape.Matrix(2, 4));
        using var _ = Tape.NoGrad();
        TensorAssert.Close(Ops.Linear(x, w, b).Data, Ops.SnrTrans(x, w, b, ones).Data, 1e-5, "all-open SNR-Trans vs Linear");
    }

    [Fact]
    public void With_only_the_diagonal_open_the_tasks_are_independent()
    {
        const int k = 2, h = 3;
        var x = TestData.Normal(Shape.Matrix(5, k * h), 38);
        var w = TestData.Normal(Shape.Matrix(k * h, k * h), 39);
        var b = TestData.Normal(Shape.Vector(k * h), 40);
        var logAlpha = Tensor.FromArray([20f, -20f, -20f, 20f], Shape.Matrix(k, k), requiresGrad: true);
        var noise = new float[] { 0.5f, 0.5f, 0.5f, 0.5f };
        var y = Ops.SnrTrans(x, w, b, Ops.HardConcreteGates(logAlpha, noise, Hc));
        Ops.Sum(Ops.SliceColumns(y, 0, h)).Backward(); // task A reads output block 0 only

        for (int row = 0; row < k * h; row++)
            for (int col = 0; col < k * h; col++)
            {
                bool taskABlock = row < h && col < h;
                Assert.True(taskABlock == (w.Grad[row * k * h + col] != 0f), $"W[{row}, {col}]");
            }
        for (int i = h; i < k * h; i++) Assert.Equal(0f, b.Grad[i]);
        for (int r = 0; r < 5; r++)
            for (int c = h; c < k * h; c++) Assert.Equal(0f, x.Grad[r * k * h + c]);
        Assert.Equal([0f, 0f, 0f, 0f], logAlpha.Grad.ToArray()); // gates clamped at 0 and 1 both pass no gradient
    }

    [Fact]
    public void Bad_shapes_name_both_tensors()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.SnrTrans(Tensor.Zeros(2, 6), Tensor.Zeros(4, 6), null, Tensor.Zeros(3, 4)));
        Assert.Contains("[4, 6]", error.Message);
        Assert.Contains("[3, 4]", error.Message);
        error = Assert.Throws<ArgumentException>(() => Ops.SnrAver(Tensor.Zeros(2, 7), Tensor.Zeros(2, 2)));
        Assert.Contains("[2, 7]", error.Message);
        Assert.Throws<ArgumentException>(() => Ops.HardConcreteGates(Tensor.Zeros(2, 2), new float[3], Hc));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcrete(0.5f, 0.1f, 1.1f));
    }

    private static float[] Floats(GoldenTensor t) => t.Data.Select(v => (float)v).ToArray();

    // With noise u = 0.5: log_alpha ±6 clamps the gate at 0 or 1; |log_alpha| ≤ 1 keeps it well inside (0.1–0.9).
    private static Tensor MixedLogAlpha(int kOut, int kIn)
    {
        float[] pattern = [-6f, 0.8f, -0.5f, 6f, 0.1f, -0.9f, 0.4f];
        var values = Enumerable.Range(0, kOut * kIn).Select(i => pattern[i % pattern.Length]).ToArray();
        return Tensor.FromArray(values, Shape.Matrix(kOut, kIn), requiresGrad: true);
    }
}

namespace Snr.Tests.Kernels;

public class RowOpsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(9, 64)]
    public void Sums_bias_and_softmax_match_naive_loops(int rows, int cols)
    {
        float[] x = TestData.Normal(rows * cols, 5), bias = TestData.Normal(cols, 6);
        var rowSums = new float[rows];
        var colSums = new float[cols];
        RowOps.SumRows(x, rowSums, rows, cols);
        RowOps.SumColumns(x, colSums, rows, cols);
        for (int r = 0; r < rows; r++)
            Assert.Equal(Enumerable.Range(0, cols).Sum(c => (double)x[r * cols + c]), rowSums[r], 1e-4);
        for (int c = 0; c < cols; c++)
            Assert.Equal(Enumerable.Range(0, rows).Sum(r => (double)x[r * cols + c]), colSums[c], 1e-4);

        var y = (float[])x.Clone();
        RowOps.AddBias(y, bias, rows, cols);
        for (int i = 0; i < y.Length; i++) Assert.Equal(x[i] + bias[i % cols], y[i]);

        var softmax = new float[rows * cols];
        RowOps.SoftmaxRows(x, softmax, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            var expected = row.Select(v => Math.Exp(v - max) / sum).ToArray();
            TensorAssert.Close(expected, softmax.AsSpan(r * cols, cols), 1e-5, $"softmax row {r}");
        }
    }

    [Fact]
    public void Wrong_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RowOps.SumRows(new float[6], new float[3], 2, 3));
        Assert.Throws<ArgumentException>(() => RowOps.AddBias(new float[6], new float[2], 2, 3));
        Assert.Throws<ArgumentException>(() => RowOps.SoftmaxRows(new float[6], new float[5], 2, 3));
    }

    [Fact]
    public void A_destination_over_a_source_is_refused_except_softmax_in_place()
    {
        var m = Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray();
        Assert.Contains("y overlaps bias", Assert.Throws<ArgumentException>("y", () => RowOps.AddBias(m.AsSpan(0, 6), m.AsSpan(4, 3), 2, 3)).Message);
        Assert.Throws<ArgumentException>("sums", () => RowOps.SumRows(m.AsSpan(0, 6), m.AsSpan(5, 2), 2, 3));
        Assert.Throws<ArgumentException>("sums", () => RowOps.SumColumns(m.AsSpan(0, 6), m.AsSpan(2, 3), 2, 3));
        Assert.Throws<ArgumentException>("y", () => RowOps.SoftmaxRows(m.AsSpan(0, 6), m.AsSpan(3, 6), 2, 3));
        Assert.Throws<ArgumentException>("dx", () => RowOps.SoftmaxRowsBackward(m.AsSpan(0, 6), m.AsSpan(6, 6), m.AsSpan(1, 6), 2, 3));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 0.1f), m); // nothing written

        var expected = new float[6];
        RowOps.SoftmaxRows(m.AsSpan(0, 6), expected, 2, 3);
        RowOps.SoftmaxRows(m.AsSpan(0, 6), m.AsSpan(0, 6), 2, 3);
        Assert.Equal(expected, m[..6]);
    }
}

public class ActivationKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(37)]
    public void Relu_backward_passes_the_gradient_where_the_input_is_positive_only(int length)
    {
        var x = Snr.Tests.Support.TestData.Normal(length, 3);
        x[0] = 0f; // the gradient at exactly 0 is 0
        var dy = Snr.Tests.Support.TestData.Normal(length, 4);
        var dx = Enumerable.Repeat(0.5f, length).ToArray();
        Snr.Kernels.Activations.ReluBackward(x, dy, dx);
        for (int i = 0; i < length; i++) Assert.Equal(x[i] > 0 ? 0.5f + dy[i] : 0.5f, dx[i]);
    }

    [Fact]
    public void A_destination_shifted_over_a_source_is_refused_and_in_place_is_allowed()
    {
        var v = Enumerable.Range(0, 16).Select(i => i - 7.5f).ToArray();
        var before = v.ToArray();
        Assert.Contains("y overlaps x at an offset", Assert.Throws<ArgumentException>("y", () => Snr.Kernels.Activations.Relu(v.AsSpan(0, 8), v.AsSpan(1, 8))).Message);
        Assert.Throws<ArgumentException>("y", () => Snr.Kernels.Activations.Sigmoid(v.AsSpan(0, 8), v.AsSpan(4, 8)));
        Assert.Throws<ArgumentException>("y", () => Snr.Kernels.Activations.Tanh(v.AsSpan(2, 8), v.AsSpan(0, 8)));
        Assert.Throws<ArgumentException>("dx", () => Snr.Kernels.Activations.ReluBackward(v.AsSpan(0, 4), v.AsSpan(8, 4), v.AsSpan(2, 4)));
        Assert.Throws<ArgumentException>("dx", () => Snr.Kernels.Activations.SigmoidBackward(v.AsSpan(0, 4), v.AsSpan(8, 4), v.AsSpan(10, 4)));
        Assert.Throws<ArgumentException>("dx", () => Snr.Kernels.Activations.TanhBackward(v.AsSpan(0, 4), v.AsSpan(8, 4), v.AsSpan(3, 4)));
        Assert.Equal(before, v);

        Snr.Kernels.Activations.Relu(v, v);
        Assert.Equal(before.Select(x => Math.Max(x, 0f)), v);
    }
}

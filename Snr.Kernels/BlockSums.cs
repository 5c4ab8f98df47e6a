using System.Numerics.Tensors;

namespace Snr.Kernels;

/// <summary>
/// Weighted sums of column blocks: the forward of SNR-Aver routing (one weight per connection, shared by the
/// batch) and of MMoE's mixture (one weight per row and expert). Training ops and the serving predictor both
/// call these, so a model computes the same bits in both.
/// </summary>
public static class BlockSums
{
    /// <summary>
    /// y[r, block i] = Σ_j gates[i, j]·x[r, block j], skipping connections whose gate is exactly 0 (an output
    /// block with no live connection is 0). x: [rows, kIn·h], gates: [kOut, kIn], y: [rows, kOut·h].
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the sizes.</exception>
    public static void Gated(int rows, int kIn, int kOut, int h, ReadOnlySpan<float> gates, ReadOnlySpan<float> x, Span<float> y)
    {
        if (gates.Length != kOut * kIn) throw new ArgumentException($"gates has {gates.Length} elements, expected {kOut} × {kIn}.", nameof(gates));
        if (x.Length != rows * kIn * h) throw new ArgumentException($"x has {x.Length} elements, expected {rows} × {kIn * h}.", nameof(x));
        if (y.Length != rows * kOut * h) throw new ArgumentException($"y has {y.Length} elements, expected {rows} × {kOut * h}.", nameof(y));
        y.Clear();
        int xCols = kIn * h, yCols = kOut * h;
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < kOut; i++)
            {
                Span<float> yi = y.Slice(r * yCols + i * h, h);
                for (int j = 0; j < kIn; j++)
                    if (gates[i * kIn + j] != 0f)
                        TensorPrimitives.MultiplyAdd(x.Slice(r * xCols + j * h, h), gates[i * kIn + j], yi, yi);
            }
    }

    /// <summary>
    /// y[r] = Σ_k weights[r, k]·experts[r, block k]: E expert outputs of width h side by side, mixed per row.
    /// experts: [rows, E·h]; weights: rows of E values, row r at r·<paramref name="weightStride"/>; y: rows of h
    /// values, row r at r·<paramref name="yStride"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for the sizes.</exception>
    public static void PerRow(int rows, int experts, int h, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, int weightStride, Span<float> y, int yStride)
    {
        if (rows == 0) return;
        if (x.Length < rows * experts * h) throw new ArgumentException($"experts has {x.Length} elements, expected {rows} × {experts * h}.", nameof(x));
        if (weights.Length < (rows - 1) * weightStride + experts) throw new ArgumentException($"weights has {weights.Length} elements, too few for {rows} rows of {experts} with stride {weightStride}.", nameof(weights));
        if (y.Length < (rows - 1) * yStride + h) throw new ArgumentException($"y has {y.Length} elements, too few for {rows} rows of {h} with stride {yStride}.", nameof(y));
        int xCols = experts * h;
        for (int r = 0; r < rows; r++)
        {
            Span<float> yr = y.Slice(r * yStride, h);
            ReadOnlySpan<float> w = weights.Slice(r * weightStride, experts);
            TensorPrimitives.Multiply(x.Slice(r * xCols, h), w[0], yr);
            for (int k = 1; k < experts; k++)
                TensorPrimitives.MultiplyAdd(x.Slice(r * xCols + k * h, h), w[k], yr, yr);
        }
    }
}

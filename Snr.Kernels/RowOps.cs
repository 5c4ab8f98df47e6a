using System.Numerics.Tensors;

namespace Snr.Kernels;

/// <summary>
/// Row-wise kernels over a row-major matrix stored in a flat span: bias add, softmax and
/// the two sums. <c>rows × cols</c> elements, row r at <c>[r·cols, (r+1)·cols)</c>.
/// </summary>
/// <remarks>
/// Softmax and its backward may write their result in place (the destination starting where a source starts);
/// otherwise a destination must not overlap a source.
/// </remarks>
public static class RowOps
{
    /// <summary>y[r, c] += bias[c] for every row r. y: [rows, cols], bias: [cols].</summary>
    /// <exception cref="ArgumentException">The lengths do not describe a [rows, cols] matrix and a [cols] bias, or y overlaps bias.</exception>
    public static void AddBias(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        CheckMatrix(y.Length, rows, cols, nameof(y));
        if (bias.Length != cols) throw new ArgumentException($"bias has {bias.Length} elements, expected {cols}.", nameof(bias));
        SpanOverlap.ThrowIfOverlapping(y, nameof(y), bias, nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>y[r, :] = softmax(x[r, :]) = exp(x − max) / Σ exp(x − max), for each row.</summary>
    /// <exception cref="ArgumentException">A span's length is not rows·cols, or y overlaps x other than in place.</exception>
    public static void SoftmaxRows(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        CheckMatrix(x.Length, rows, cols, nameof(x));
        CheckMatrix(y.Length, rows, cols, nameof(y));
        SpanOverlap.ThrowIfOverlappingShifted(y, nameof(y), x, nameof(x));
        for (int r = 0; r < rows; r++)
            TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    /// <summary>
    /// dx[r, :] += y[r, :] ⊙ (dy[r, :] − ⟨dy[r, :], y[r, :]⟩), the softmax backward, where y is the forward output.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not rows·cols, or dx overlaps y or dy other than in place.</exception>
    public static void SoftmaxRowsBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        CheckMatrix(y.Length, rows, cols, nameof(y));
        CheckMatrix(dy.Length, rows, cols, nameof(dy));
        CheckMatrix(dx.Length, rows, cols, nameof(dx));
        SpanOverlap.ThrowIfOverlappingShifted(dx, nameof(dx), y, nameof(y));
        SpanOverlap.ThrowIfOverlappingShifted(dx, nameof(dx), dy, nameof(dy));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            Span<float> dxr = dx.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(yr, dyr);
            for (int c = 0; c < cols; c++) dxr[c] += yr[c] * (dyr[c] - dot);
        }
    }

    /// <summary>sums[r] (+)= Σ_c x[r, c]. Overwrites when <paramref name="accumulate"/> is false.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe a [rows, cols] matrix and [rows] sums, or sums overlaps x.</exception>
    public static void SumRows(ReadOnlySpan<float> x, Span<float> sums, int rows, int cols, bool accumulate = false)
    {
        CheckMatrix(x.Length, rows, cols, nameof(x));
        if (sums.Length != rows) throw new ArgumentException($"sums has {sums.Length} elements, expected {rows}.", nameof(sums));
        SpanOverlap.ThrowIfOverlapping(sums, nameof(sums), x, nameof(x));
        for (int r = 0; r < rows; r++)
        {
            float s = TensorPrimitives.Sum(x.Slice(r * cols, cols));
            sums[r] = accumulate ? sums[r] + s : s;
        }
    }

    /// <summary>sums[c] (+)= Σ_r x[r, c]. Overwrites when <paramref name="accumulate"/> is false.</summary>
    /// <remarks>Rows are added in order 0, 1, …, so the result does not depend on anything but the data.</remarks>
    /// <exception cref="ArgumentException">The lengths do not describe a [rows, cols] matrix and [cols] sums, or sums overlaps x.</exception>
    public static void SumColumns(ReadOnlySpan<float> x, Span<float> sums, int rows, int cols, bool accumulate = false)
    {
        CheckMatrix(x.Length, rows, cols, nameof(x));
        if (sums.Length != cols) throw new ArgumentException($"sums has {sums.Length} elements, expected {cols}.", nameof(sums));
        SpanOverlap.ThrowIfOverlapping(sums, nameof(sums), x, nameof(x));
        if (!accumulate) sums.Clear();
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(sums, x.Slice(r * cols, cols), sums);
    }

    private static void CheckMatrix(int length, int rows, int cols, string name)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != length)
            throw new ArgumentException($"{name} has {length} elements, expected a [{rows}, {cols}] matrix ({(long)rows * cols}).", name);
    }
}

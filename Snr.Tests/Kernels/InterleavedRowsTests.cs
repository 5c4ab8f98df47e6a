namespace Snr.Tests.Kernels;

/// <summary>
/// The interleaved weight layout for serving: where each element goes, what it refuses, and that the
/// few-rows product reads it to the same bits as the row-major weight (and to the reference's values).
/// </summary>
[Collection("Kernels")]
public class InterleavedRowsTests
{
    [Fact]
    public void Places_each_element_as_documented_and_pads_rows_with_zeros()
    {
        const int rows = 5, columns = 16;
        float[] w = [.. Enumerable.Range(0, rows * columns).Select(i => (float)i + 1)];
        var layout = new InterleavedRows(w, rows, columns);
        Assert.Equal(8 * columns, layout.Data.Length); // 5 rows padded to 8
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < columns; c++)
                Assert.Equal(r < rows ? w[r * columns + c] : 0f, layout.Data[r / 4 * 4 * columns + c / 8 * 32 + r % 4 * 8 + c % 8]);
    }

    [Fact]
    public void Refuses_widths_that_are_not_whole_chunks()
    {
        var error = Assert.Throws<ArgumentException>(() => new InterleavedRows(new float[3 * 12], 3, 12));
        Assert.Contains("multiple of 8 columns; this matrix has 12", error.Message);
        Assert.Throws<ArgumentException>(() => new InterleavedRows(new float[10], 3, 8));
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(2, 2, false)]
    public unsafe void Gives_the_same_bits_as_the_row_major_weight(int batch, int threads, bool accumulate)
    {
        // W [rows × 96]: three column groups (the middle one without segments), segments of whole chunks with
        // scales, groups that end part-way through a group of four rows; large enough to run on two threads.
        const int rows = 1000, columns = 96;
        var rng = new Random(batch * 10 + threads);
        float[] w = GemmReference.Random(rng, rows * columns), x = GemmReference.Random(rng, batch * 120);
        ColumnGroup[] groups = [new(0, 404, 0, 2), new(404, 96, 2, 0), new(500, 497, 2, 1)];
        KSegment[] segments = [new(0, 0, 32, 0.5f), new(40, 48, 48, 1.25f), new(100, 80, 16, -0.75f)];
        float[] rowMajor = GemmReference.Random(rng, batch * 1003), interleaved = (float[])rowMajor.Clone(), expected = (float[])rowMajor.Clone();
        var layout = new InterleavedRows(w, rows, columns);

        fixed (float* px = x, pw = w, pl = layout.Data, pr = rowMajor, pi = interleaved)
        {
            Gemv.Run(batch, px, 120, pw, columns, groups, segments, pr, 1003, accumulate, threads);
            Gemv.Run(batch, px, 120, pl, columns, groups, segments, pi, 1003, accumulate, threads, interleaved: true);
        }

        Assert.True(rowMajor.AsSpan().SequenceEqual(interleaved), "the interleaved layout gave different bits");
        for (int b = 0; b < batch; b++)
            foreach (var g in groups)
                for (int c = g.ColumnStart; c < g.ColumnStart + g.ColumnCount; c++)
                {
                    double sum = accumulate ? expected[b * 1003 + c] : 0;
                    for (int s = g.SegmentStart; s < g.SegmentStart + g.SegmentCount; s++)
                        for (int p = 0; p < segments[s].Length; p++)
                            sum += segments[s].Scale * (double)x[b * 120 + segments[s].AOffset + p] * w[c * columns + segments[s].BOffset + p];
                    expected[b * 1003 + c] = (float)sum;
                }
        GemmReference.AssertClose(expected, interleaved, 1e-5, $"batch {batch}");
    }
}

namespace Snr.Tests.Kernels;

/// <summary>
/// The engine's K-segment interface on its own: segments with unrelated A and B offsets, overlapping and
/// out-of-order A ranges, long segments split across chunks, several column groups, and row-block liveness.
/// </summary>
[Collection("Kernels")]
public class PackedGemmTests
{
    private static float[] Reference(bool transA, bool transB, int m, int n, float[] a, int lda, float[] b, int ldb,
        float alpha, float beta, float[] c, int ldc, ColumnGroup[] groups, KSegment[] segments)
    {
        float[] expected = (float[])c.Clone();
        foreach (ColumnGroup g in groups)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = g.ColumnStart; j < g.ColumnStart + g.ColumnCount; j++)
                {
                    double sum = 0;
                    for (int s = g.SegmentStart; s < g.SegmentStart + g.SegmentCount; s++)
                    {
                        KSegment seg = segments[s];
                        for (int p = 0; p < seg.Length; p++)
                        {
                            double av = transA ? a[(seg.AOffset + p) * lda + i] : a[i * lda + seg.AOffset + p];
                            double bv = transB ? b[j * ldb + seg.BOffset + p] : b[(seg.BOffset + p) * ldb + j];
                            sum += seg.Scale * av * bv;
                        }
                    }

                    double old = beta == 0f ? 0 : beta * (double)c[i * ldc + j];
                    expected[i * ldc + j] = (float)(alpha * sum + old);
                }
            }
        }

        return expected;
    }

    [Theory]
    [InlineData(false, false, 1)]
    [InlineData(false, true, 2)]
    [InlineData(true, false, 2)]
    [InlineData(true, true, 1)]
    public unsafe void Segments_and_groups_match_reference(bool transA, bool transB, int threads)
    {
        var rng = new Random(transA ? 3 : 4);
        const int m = 75, n = 70, kA = 700, kB = 650;
        int lda = transA ? m : kA, ldb = transB ? kB : n, ldc = n + 2;
        float[] a = GemmReference.Random(rng, transA ? kA * m : m * kA);
        float[] b = GemmReference.Random(rng, transB ? n * kB : kB * n);
        float[] c = GemmReference.Random(rng, m * ldc);

        // Group 0: overlapping, out-of-order A ranges; a 400-long segment that spans chunks.
        // Group 1: no segments (C = beta·C). Group 2: a single short segment with odd width.
        KSegment[] segments =
        [
            new(300, 10, 400, 0.5f), new(0, 500, 37, -2f), new(350, 420, 20, 1f),
            new(690, 0, 10, 3f),
        ];
        ColumnGroup[] groups = [new(0, 33, 0, 3), new(33, 16, 3, 0), new(49, 21, 3, 1)];
        float[] expected = Reference(transA, transB, m, n, a, lda, b, ldb, 0.75f, 0.5f, c, ldc, groups, segments);

        fixed (float* pa = a, pb = b, pc = c)
        {
            PackedGemm.Run(transA, transB, m, pa, lda, pb, ldb, 0.75f, 0.5f, pc, ldc, groups, segments, 0, default, threads);
        }

        GemmReference.AssertClose(expected, c, 1e-4 * Math.Sqrt(500), $"segments {transA}{transB}");
    }

    [Fact]
    public unsafe void Dead_row_blocks_are_not_computed()
    {
        var rng = new Random(12);
        const int m = 64, n = 48, k = 40, height = 16; // 4 row blocks × 3 groups of 16 columns
        float[] a = GemmReference.Random(rng, m * k), b = GemmReference.Random(rng, k * n);
        ColumnGroup[] groups = [new(0, 16, 0, 1), new(16, 16, 0, 1), new(32, 16, 0, 1)];
        KSegment[] segments = [new(0, 0, k, 1f)];
        bool[] live = new bool[4 * 3];
        live[0 * 3 + 1] = live[2 * 3 + 0] = live[3 * 3 + 2] = true;
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        float[] dense = new float[m * n];
        GemmReference.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, dense, n);

        fixed (float* pa = a, pb = b, pc = c)
        {
            PackedGemm.Run(false, false, m, pa, k, pb, n, 1f, 0f, pc, n, groups, segments, height, live, 2);
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float v = c[i * n + j];
                if (live[(i / height) * 3 + j / 16])
                {
                    Assert.True(Math.Abs(v - dense[i * n + j]) < 1e-4, $"live ({i},{j})");
                }
                else if (!float.IsNaN(v))
                {
                    // A dead tile may only be written next to a live block (an MR strip straddling both), and then correctly.
                    Assert.True(Math.Abs(v - dense[i * n + j]) < 1e-4, $"dead ({i},{j}) written wrongly");
                }
            }
        }

        // Row block 1 has no live group at all: none of its rows may have been computed.
        for (int i = 18; i < 30; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.True(float.IsNaN(c[i * n + j]), $"({i},{j}) of a dead row block was computed");
            }
        }
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public unsafe void Op_B_packed_once_gives_the_same_bits_as_packing_on_every_call(bool transB, int threads)
    {
        var rng = new Random(transB ? 21 : 22);
        const int m = 75, n = 70, k = 650;
        int ldb = transB ? k : n;
        float[] a = GemmReference.Random(rng, m * 700), b = GemmReference.Random(rng, transB ? n * k : k * n);
        KSegment[] segments = [new(300, 10, 400, 0.5f), new(0, 500, 37, -2f), new(690, 0, 10, 3f)];
        ColumnGroup[] groups = [new(0, 33, 0, 2), new(33, 16, 2, 0), new(49, 21, 2, 1)];
        float[] everyCall = GemmReference.Random(rng, m * n), once = (float[])everyCall.Clone();

        PackedOperand packed;
        float[] copy = (float[])b.Clone();
        fixed (float* pb = copy) packed = PackedGemm.PackB(transB, pb, ldb, groups, segments);
        Array.Fill(copy, float.NaN); // packed once, B is never read again: NaNs here would show
        fixed (float* pa = a, pb = copy, pc = once)
        {
            PackedGemm.Run(false, transB, m, pa, 700, pb, ldb, 0.75f, 0.5f, pc, n, groups, segments, 0, default, threads, packed);
        }

        fixed (float* pa = a, pb = b, pc = everyCall)
        {
            PackedGemm.Run(false, transB, m, pa, 700, pb, ldb, 0.75f, 0.5f, pc, n, groups, segments, 0, default, threads);
        }

        Assert.True(everyCall.AsSpan().SequenceEqual(once), "the pre-packed operand gave different bits");
    }

    [Fact]
    public unsafe void An_operand_packed_for_another_product_is_refused()
    {
        float[] b = new float[16 * 40];
        PackedOperand packed;
        fixed (float* pb = b) packed = PackedGemm.PackB(true, pb, 40, [new ColumnGroup(0, 16, 0, 1)], [new KSegment(0, 0, 40, 1f)]);
        float[] a = new float[8 * 40], c = new float[8 * 16];
        string? message = null;
        fixed (float* pa = a, pc = c)
        {
            try
            {
                // The same size, another gate scale: only the description can tell.
                PackedGemm.Run(false, true, 8, pa, 40, null, 40, 1f, 0f, pc, 16, [new ColumnGroup(0, 16, 0, 1)], [new KSegment(0, 0, 40, 0.5f)], 0, default, 1, packed);
            }
            catch (ArgumentException e)
            {
                message = e.Message;
            }
        }

        Assert.NotNull(message);
        Assert.Contains("pre-packed", message);
    }
}

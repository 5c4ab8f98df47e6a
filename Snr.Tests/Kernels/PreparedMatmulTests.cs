namespace Snr.Tests.Kernels;

/// <summary>
/// The prepared-weight product: the values it computes (dense and routed, against the double reference), the
/// bits it shares with <see cref="RoutedMatmul.Forward"/> on the paths both take, its independence of thread
/// count and batch composition, what it refuses, and that a call allocates nothing.
/// </summary>
[Collection("Kernels")]
public class PreparedMatmulTests
{
    // kOut, hOut, kIn, hIn, closedEvery (0: every gate open; n: every n-th gate zero), input widths fit the interleaved layout or not
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 1, 128, 1, 256, 0 },   // dense, interleaved
        { 1, 30, 1, 20, 0 },     // dense, row-major (20 inputs is not whole chunks)
        { 1, 1, 1, 64, 0 },      // one output: never packed
        { 4, 128, 4, 128, 3 },   // routed, interleaved, some blocks closed
        { 3, 6, 2, 12, 2 },      // routed, row-major (blocks of 6 outputs do not start at multiples of 4)
        { 2, 16, 4, 64, 1 },     // routed, every gate closed
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Computes_the_product_over_the_live_blocks_into_a_strided_window(int kOut, int hOut, int kIn, int hIn, int closedEvery)
    {
        var rng = new Random(kOut * 100 + hOut + hIn);
        int inputs = kIn * hIn, outputs = kOut * hOut, ldx = inputs + 5, ldy = outputs + 7;
        float[] w = GemmReference.Random(rng, outputs * inputs), gates = Gates(kOut, kIn, closedEvery);
        var product = new PreparedMatmul(w, kOut, hOut, kIn, hIn, gates);
        foreach (int rows in new[] { 1, 3, 4, 9, 300 })
        {
            float[] x = GemmReference.Random(rng, rows * ldx), y = Enumerable.Repeat(float.NaN, rows * ldy + 2).ToArray();
            product.Multiply(x.AsSpan(2), ldx, y.AsSpan(2), ldy, rows);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < ldy; c++)
                {
                    float actual = y[2 + r * ldy + c];
                    if (c >= outputs) { Assert.True(float.IsNaN(actual), $"column {c} beyond the outputs was written"); continue; }
                    int i = c / hOut;
                    double sum = 0;
                    for (int j = 0; j < kIn; j++)
                        for (int p = 0; p < hIn && gates[i * kIn + j] != 0f; p++)
                            sum += gates[i * kIn + j] * (double)x[2 + r * ldx + j * hIn + p] * w[c * inputs + j * hIn + p];
                    Assert.True(Math.Abs(actual - sum) <= 1e-4 * Math.Max(1, Math.Abs(sum)), $"rows {rows}, y[{r}, {c}] = {actual}, expected {sum}");
                }
            Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]), "written before the window");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gives_the_bits_of_the_routed_matmul_for_a_few_rows_and_for_large_batches(int kOut, int hOut, int kIn, int hIn, int closedEvery)
    {
        var rng = new Random(hIn * 3 + kOut);
        int inputs = kIn * hIn, outputs = kOut * hOut;
        float[] w = GemmReference.Random(rng, outputs * inputs), gates = Gates(kOut, kIn, closedEvery);
        var product = new PreparedMatmul(w, kOut, hOut, kIn, hIn, gates);
        foreach (int rows in new[] { 1, 2, 3, 300 })
        {
            if (rows >= 4 && (outputs == 1 || (long)rows * product.MultiplyAddsPerRow <= 32 * 32 * 32))
                continue; // the prepared product keeps small products on the few-rows kernel, the routed matmul packs them
            foreach (int threads in new[] { 1, 2 })
            {
                float[] x = GemmReference.Random(rng, rows * inputs), expected = new float[rows * outputs], actual = new float[rows * outputs];
                RoutedMatmul.Forward(rows, kIn, hIn, kOut, hOut, gates, x, w, 0f, expected, threads);
                product.Multiply(x, inputs, actual, outputs, rows, threads);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"rows {rows}, threads {threads}");
            }
        }
    }

    [Fact]
    public void A_row_gets_the_same_bits_alone_with_others_and_on_any_thread_count()
    {
        var rng = new Random(3);
        float[] w = GemmReference.Random(rng, 512 * 512), x = GemmReference.Random(rng, 3 * 512);
        var product = new PreparedMatmul(w, 4, 128, 4, 128, Gates(4, 4, closedEvery: 3));
        Assert.True(product.Interleaved);
        var three = new float[3 * 512];
        product.Multiply(x, 512, three, 512, rows: 3, maxThreads: 2);
        foreach (int threads in new[] { 1, 2 })
            for (int r = 0; r < 3; r++)
            {
                var one = new float[512];
                product.Multiply(x.AsSpan(r * 512, 512), 512, one, 512, rows: 1, threads);
                Assert.True(three.AsSpan(r * 512, 512).SequenceEqual(one), $"row {r} on {threads} threads");
            }
    }

    [Fact]
    public void Many_threads_sharing_one_product_get_what_one_thread_gets()
    {
        var rng = new Random(5);
        float[] w = GemmReference.Random(rng, 512 * 512), x = GemmReference.Random(rng, 64 * 512);
        var product = new PreparedMatmul(w, 4, 128, 4, 128, Gates(4, 4, closedEvery: 3));
        int[] rowCounts = [1, 3, 64];
        float[][] expected = [.. rowCounts.Select(rows => { var y = new float[rows * 512]; product.Multiply(x, 512, y, 512, rows, maxThreads: 1); return y; })];
        int mismatches = 0;
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int which = i % rowCounts.Length, rows = rowCounts[which];
            var y = new float[rows * 512];
            product.Multiply(x, 512, y, 512, rows, maxThreads: 2);
            if (!y.AsSpan().SequenceEqual(expected[which])) Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Copies_the_weight_so_later_changes_do_not_reach_it()
    {
        float[] w = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], x = [1, 1, 1, 1, 1, 1, 1, 1], y = new float[2];
        var product = new PreparedMatmul(w, outputs: 2, inputs: 8);
        Array.Clear(w);
        product.Multiply(x, 8, y, 2, rows: 1);
        Assert.Equal([36f, 100f], y);
    }

    [Fact]
    public void Calls_on_one_thread_allocate_nothing()
    {
        var rng = new Random(4);
        var product = new PreparedMatmul(GemmReference.Random(rng, 512 * 512), 4, 128, 4, 128, Gates(4, 4, closedEvery: 3));
        float[] x = GemmReference.Random(rng, 64 * 512), y = new float[64 * 512];
        int[] rowCounts = [1, 3, 64];
        SteadyState.AssertAllocatesNothing(() =>
        {
            for (int i = 0; i < 20; i++)
                foreach (int rows in rowCounts) product.Multiply(x, 512, y, 512, rows, maxThreads: 1);
        }, maxRounds: 5);
    }

    [Fact]
    public void Refuses_bad_shapes_short_spans_and_overlap_before_writing()
    {
        Assert.Throws<ArgumentOutOfRangeException>("outputs", () => new PreparedMatmul(new float[4], -1, 4));
        Assert.Contains("not 2 × 3", Assert.Throws<ArgumentException>("weight", () => new PreparedMatmul(new float[5], 2, 3)).Message);
        Assert.Contains("not 2 × 2", Assert.Throws<ArgumentException>("gates", () => new PreparedMatmul(new float[16], 2, 2, 2, 2, new float[3])).Message);

        var product = new PreparedMatmul(new float[4 * 8], outputs: 4, inputs: 8);
        var y = Enumerable.Repeat(7f, 8).ToArray();
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => product.Multiply(new float[16], 8, y, 4, rows: -1));
        Assert.Throws<ArgumentOutOfRangeException>("ldx", () => product.Multiply(new float[16], 7, y, 4, rows: 2));
        Assert.Throws<ArgumentOutOfRangeException>("ldy", () => product.Multiply(new float[16], 8, y, 3, rows: 2));
        Assert.Contains("needs 16", Assert.Throws<ArgumentException>("x", () => product.Multiply(new float[15], 8, y, 4, rows: 2)).Message);
        Assert.Contains("needs 8", Assert.Throws<ArgumentException>("y", () => product.Multiply(new float[16], 8, y.AsSpan(1), 4, rows: 2)).Message);
        var shared = new float[32];
        Assert.Contains("y overlaps x", Assert.Throws<ArgumentException>("y", () => product.Multiply(shared, 8, shared.AsSpan(12), 4, rows: 2)).Message);
        Assert.All(y, v => Assert.Equal(7f, v));
    }

    private static float[] Gates(int kOut, int kIn, int closedEvery) =>
        [.. Enumerable.Range(0, kOut * kIn).Select(i => closedEvery > 0 && i % closedEvery == 0 ? 0f : 0.5f + 0.25f * i)];
}

namespace Snr.Tests.Kernels;

// Kernel tests share one collection: they toggle a thread-static kernel switch and compare thread counts,
// and running them one class at a time keeps the 2-thread runs really on 2 threads.
[Collection("Kernels")]
public class SgemmTests
{
    private static readonly int[] Special = [1, 3, 17, 63, 64, 65, 257];

    public static TheoryData<bool, bool> Transpositions => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    /// <summary>Runs Sgemm and the reference on one random problem and compares them (also used by <see cref="KernelProperties"/>).</summary>
    internal static void Check(Random rng, bool transA, bool transB, int m, int n, int k,
        float alpha, float beta, int pad, int threads)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        float[] a = GemmReference.Random(rng, ((transA ? k : m) - 1) * lda + (transA ? m : k));
        float[] b = GemmReference.Random(rng, ((transB ? n : k) - 1) * ldb + (transB ? k : n));
        float[] c = GemmReference.Random(rng, (m - 1) * ldc + n);
        float[] expected = (float[])c.Clone();
        GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);

        Sgemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);

        GemmReference.AssertClose(expected, c, 1e-4 * Math.Sqrt(k) * Math.Max(1, Math.Abs(alpha)),
            $"{(transA ? "T" : "N")}{(transB ? "T" : "N")} m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad} threads={threads}");
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Matches_reference_when_each_dimension_takes_each_special_size(bool transA, bool transB)
    {
        var rng = new Random(1234 + (transA ? 2 : 0) + (transB ? 1 : 0));
        int run = 0;
        foreach (int size in Special)
        {
            for (int dim = 0; dim < 3; dim++)
            {
                int m = dim == 0 ? size : rng.Next(1, 90);
                int n = dim == 1 ? size : rng.Next(1, 90);
                int k = dim == 2 ? size : rng.Next(1, 90);
                float alpha = run % 3 == 0 ? 1f : -0.75f;
                float beta = run % 2 == 0 ? 0f : 0.5f;
                Check(rng, transA, transB, m, n, k, alpha, beta, pad: run % 4, threads: 1 + run % 2);
                run++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Matches_reference_on_larger_products_with_padding(bool transA, bool transB)
    {
        var rng = new Random(99);
        Check(rng, transA, transB, 257, 130, 300, 0.5f, 1.25f, pad: 3, threads: 2);
        Check(rng, transA, transB, 65, 257, 513, 1f, 0f, pad: 0, threads: 0);
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Portable_kernel_matches_reference(bool transA, bool transB)
    {
        var rng = new Random(7);
        GemmMicrokernel.ForcePortable = true;
        try
        {
            Check(rng, transA, transB, 70, 45, 300, -1.5f, 0.25f, pad: 1, threads: 2);
            Check(rng, transA, transB, 17, 65, 63, 1f, 0f, pad: 0, threads: 1);
        }
        finally
        {
            GemmMicrokernel.ForcePortable = false;
        }
    }

    [Theory]
    [InlineData(false, false, 600, 520, 700)]
    [InlineData(false, true, 301, 77, 513)]
    [InlineData(true, false, 1024, 128, 256)]
    public void One_and_two_threads_give_bit_identical_results(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Random(5);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] a = GemmReference.Random(rng, m * k), b = GemmReference.Random(rng, k * n);
        float[] c0 = GemmReference.Random(rng, m * n);
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone();

        Sgemm.Multiply(transA, transB, m, n, k, 0.9f, a, lda, b, ldb, 0.3f, c1, n, maxThreads: 1);
        Sgemm.Multiply(transA, transB, m, n, k, 0.9f, a, lda, b, ldb, 0.3f, c2, n, maxThreads: 2);

        Assert.True(c1.AsSpan().SequenceEqual(c2), "1-thread and 2-thread results differ");
    }

    [Fact]
    public void Zero_k_scales_C_by_beta()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Sgemm.Multiply(false, false, 2, 3, 0, 1f, [], 1, [], 3, 2f, c, 3);
        Assert.Equal([2f, 4, 6, 8, 10, 12], c);
    }

    [Fact]
    public void Beta_zero_overwrites_NaN_in_C()
    {
        var rng = new Random(3);
        float[] a = GemmReference.Random(rng, 70 * 80), b = GemmReference.Random(rng, 80 * 90);
        float[] c = Enumerable.Repeat(float.NaN, 70 * 90).ToArray();
        Sgemm.Multiply(false, false, 70, 90, 80, 1f, a, 80, b, 90, 0f, c, 90);
        Assert.DoesNotContain(c, float.IsNaN);

        float[] small = [float.NaN, float.NaN];
        Sgemm.Multiply(false, false, 1, 2, 0, 1f, [], 1, [], 2, 0f, small, 2);
        Assert.Equal([0f, 0f], small);
    }

    [Fact]
    public void Empty_m_or_n_does_nothing()
    {
        float[] c = [7f];
        Sgemm.Multiply(false, false, 0, 1, 3, 1f, [], 3, [1, 2, 3], 1, 0f, c, 1);
        Sgemm.Multiply(false, false, 1, 0, 3, 1f, [1, 2, 3], 3, [], 1, 0f, c, 1);
        Assert.Equal([7f], c);
    }

    // A 4×3 by 3×2 product (m 4, n 2, k 3) with one buffer too short; transposed operands are validated as stored
    // (transA: A is k×m = 3×4 with lda 4; transB: B is n×k = 2×3 with ldb 3).
    [Theory]
    [InlineData(false, false, 10, 3, 6, 2, 8, 2, "a", "A has 10 elements but a 4×3 matrix with lda 3 needs 12")]
    [InlineData(true, false, 11, 4, 6, 2, 8, 2, "a", "A has 11 elements but a 3×4 matrix with lda 4 needs 12")]
    [InlineData(false, true, 12, 3, 5, 3, 8, 2, "b", "B has 5 elements but a 2×3 matrix with ldb 3 needs 6")]
    [InlineData(false, false, 12, 3, 6, 2, 9, 3, "c", "C has 9 elements but a 4×2 matrix with ldc 3 needs 11")]
    public void A_short_buffer_throws_naming_its_shape_and_writes_nothing(bool transA, bool transB, int aLength, int lda, int bLength, int ldb,
        int cLength, int ldc, string parameter, string message)
    {
        float[] c = [.. Enumerable.Range(1, cLength).Select(i => (float)i)];
        float[] before = [.. c];
        var e = Assert.Throws<ArgumentException>(() =>
            Sgemm.Multiply(transA, transB, 4, 2, 3, 1f, new float[aLength], lda, new float[bLength], ldb, 0f, c, ldc));
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(message, e.Message);
        Assert.Equal(before, c);
    }

    [Fact]
    public void Leading_dimension_smaller_than_row_width_throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Sgemm.Multiply(false, false, 4, 2, 3, 1f, new float[12], 2, new float[6], 2, 0f, new float[8], 2));
        Assert.Equal("lda", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Sgemm.Multiply(false, true, 4, 2, 3, 1f, new float[12], 3, new float[6], 2, 0f, new float[8], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Sgemm.Multiply(false, false, 4, 2, 3, 1f, new float[12], 3, new float[6], 2, 0f, new float[8], 1));
    }

    [Fact]
    public void Negative_dimensions_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(false, false, -1, 2, 3, 1f, [], 3, [], 2, 0f, [], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(false, false, 1, -2, 3, 1f, [], 3, [], 2, 0f, [], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(false, false, 1, 2, -3, 1f, [], 3, [], 2, 0f, [], 2));
    }


    [Fact]
    public void C_over_A_or_B_is_refused_before_anything_is_written()
    {
        var buffer = Enumerable.Range(0, 64).Select(i => (float)i).ToArray();
        var before = buffer.ToArray();
        Assert.Contains("c overlaps a", Assert.Throws<ArgumentException>("c", () => Sgemm.Multiply(false, false, 4, 4, 4, 1f, buffer.AsSpan(0, 16), 4, new float[16], 4, 0f, buffer.AsSpan(8, 16), 4)).Message);
        Assert.Contains("c overlaps b", Assert.Throws<ArgumentException>("c", () => Sgemm.Multiply(false, true, 4, 4, 4, 1f, new float[16], 4, buffer.AsSpan(16, 16), 4, 0f, buffer.AsSpan(20, 16), 4)).Message);
        Assert.Equal(before, buffer);
        Sgemm.Multiply(false, false, 4, 4, 4, 0f, buffer.AsSpan(0, 16), 4, buffer.AsSpan(0, 16), 4, 1f, buffer.AsSpan(8, 16), 4); // alpha 0: A and B are not read
    }
}

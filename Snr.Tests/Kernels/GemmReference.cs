namespace Snr.Tests.Kernels;

/// <summary>Naive, double-accumulating references and helpers shared by the kernel tests.</summary>
internal static class GemmReference
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C, row-major, accumulated in double.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * lda + i] : a[i * lda + p];
                    double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }

                double old = beta == 0f ? 0 : beta * (double)c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum + old);
            }
        }
    }

    public static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return x;
    }

    /// <summary>Asserts |actual − expected| ≤ tol·max(|expected|, 1) elementwise, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], d = Math.Abs(actual[i] - e);
            if (!(d <= tol * Math.Max(Math.Abs(e), 1)))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {e} (tolerance {tol})");
            }
        }
    }
}

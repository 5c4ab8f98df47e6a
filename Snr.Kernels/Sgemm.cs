namespace Snr.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans (BLAS SGEMM semantics, row-major).
/// </summary>
/// <remarks>
/// Large products run the packed, register-blocked engine (<see cref="PackedGemm"/>: AVX2/FMA 6×16
/// microkernel, with a Vector128 fallback), on all requested cores when the product is large enough.
/// Tiny and matrix-vector shapes run an unpacked path (<see cref="SmallGemm"/>). Threads only split the
/// rows of C, never the k reduction, so C is bit-identical for any <c>maxThreads</c>.
///
/// Scratch memory is kept and reused, so steady-state calls allocate nothing: per calling thread the
/// packed copy of op(B) (k·n floats), and per worker thread a packed row block of op(A) (at most 144·k floats).
/// </remarks>
public static class Sgemm
{
    /// <summary>At most this many multiply-adds (m·n·k), or m == 1 or n == 1, take the unpacked path.</summary>
    internal const long SmallProduct = 32 * 32 * 32;

    /// <summary>
    /// Computes <c>C = alpha·op(A)·op(B) + beta·C</c> where op(A) is m×k and op(B) is k×n, all row-major.
    /// </summary>
    /// <param name="transposeA">False: A is m×k (row stride <paramref name="lda"/> ≥ k). True: A is k×m (<paramref name="lda"/> ≥ m) and op(A) = Aᵀ.</param>
    /// <param name="transposeB">False: B is k×n (row stride <paramref name="ldb"/> ≥ n). True: B is n×k (<paramref name="ldb"/> ≥ k) and op(B) = Bᵀ.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product. When 0, A and B are not read.</param>
    /// <param name="a">The elements of A.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">The elements of B.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of C's previous contents. When 0, C is overwritten and never read (NaNs in C are not propagated).</param>
    /// <param name="c">The m×n result, row stride <paramref name="ldc"/> ≥ n. Must not overlap A or B.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="maxThreads">Most threads to use: ≤ 0 means <see cref="Environment.ProcessorCount"/>, 1 means the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/>, <paramref name="n"/> or <paramref name="k"/> is negative, or a leading dimension is smaller than the row width of its matrix as stored (or than 1).</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix needs, <c>(rows − 1)·ld + cols</c>, or <paramref name="c"/> overlaps <paramref name="a"/> or <paramref name="b"/> (when they are read). Nothing is written when any argument is invalid.</exception>
    public static unsafe void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int maxThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        bool readsAB = alpha != 0f && k > 0;
        if (transposeA)
        {
            MatrixArguments.Check(a.Length, "A", nameof(a), k, m, lda, nameof(lda), readsAB);
        }
        else
        {
            MatrixArguments.Check(a.Length, "A", nameof(a), m, k, lda, nameof(lda), readsAB);
        }

        if (transposeB)
        {
            MatrixArguments.Check(b.Length, "B", nameof(b), n, k, ldb, nameof(ldb), readsAB);
        }
        else
        {
            MatrixArguments.Check(b.Length, "B", nameof(b), k, n, ldb, nameof(ldb), readsAB);
        }

        MatrixArguments.Check(c.Length, "C", nameof(c), m, n, ldc, nameof(ldc), checkLength: true);
        if (readsAB && m > 0 && n > 0)
        {
            SpanOverlap.ThrowIfOverlapping(c, nameof(c), a, nameof(a));
            SpanOverlap.ThrowIfOverlapping(c, nameof(c), b, nameof(b));
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (!readsAB)
            {
                PackedGemm.ScaleBlock(pc, ldc, m, n, beta);
                return;
            }

            if (m == 1 || n == 1 || (long)m * n * k <= SmallProduct)
            {
                SmallGemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxThreads);
                return;
            }

            ReadOnlySpan<ColumnGroup> groups = [new ColumnGroup(0, n, 0, 1)];
            ReadOnlySpan<KSegment> segments = [new KSegment(0, 0, k, 1f)];
            PackedGemm.Run(transposeA, transposeB, m, pa, lda, pb, ldb, alpha, beta, pc, ldc,
                groups, segments, rowBlockHeight: 0, liveTiles: default, maxThreads);
        }
    }
}

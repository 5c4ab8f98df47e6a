using System.Numerics.Tensors;

namespace Snr.Kernels;

/// <summary>
/// GEMM without packing, for shapes where packing cannot pay for itself: tiny products and
/// matrix-vector shapes (m == 1 or n == 1). A·Bᵀ is <see cref="Gemv"/> straight into C (threaded when
/// large); the other forms are single-threaded, each row of C one pass.
/// </summary>
/// <remarks>
/// <code>
///   A·Bᵀ:            C[i, j] = alpha·dot(A[i, :], B[j, :]) + beta·C[i, j]  (Gemv)
///   for each row i of C, otherwise:
///     Aᵀ·Bᵀ:         acc[j] = dot(op(A)[i, :], B[j, :])                  (both contiguous along k)
///     n == 1:        acc[0] = dot(op(A)[i, :], B[:, 0])                  (B's column gathered once)
///     otherwise:     acc[:] = Σ_p op(A)[i, p] · B[p, :]                  (axpy over contiguous rows of B)
///     C[i, :] = alpha·acc + beta·C[i, :]   (beta == 0: overwritten)
/// </code>
/// op(A)[i, :] is a row of A, or for transA a column of A gathered into scratch.
/// </remarks>
internal static class SmallGemm
{
    [ThreadStatic] private static float[]? t_scratch;

    public static unsafe void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int maxThreads)
    {
        if (transB && !transA)
        {
            // Rows of A times rows of B: the matrix-vector kernel, straight into C (and on more than one
            // thread when the product is large, as for one served row through a wide layer).
            if (beta != 0f && beta != 1f)
            {
                for (int i = 0; i < m; i++) TensorPrimitives.Multiply(c.Slice(i * ldc, n), beta, c.Slice(i * ldc, n));
            }

            ReadOnlySpan<ColumnGroup> group = [new ColumnGroup(0, n, 0, 1)];
            ReadOnlySpan<KSegment> segment = [new KSegment(0, 0, k, alpha)];
            fixed (float* pa = a, pb = b, pc = c)
            {
                Gemv.Run(m, pa, lda, pb, ldb, group, segment, pc, ldc, accumulate: beta != 0f, maxThreads);
            }

            return;
        }

        int needed = n + 2 * k;
        float[] scratch = t_scratch is { } s && s.Length >= needed ? s : t_scratch = new float[Math.Max(needed, 256)];
        Span<float> acc = scratch.AsSpan(0, n);
        Span<float> aGather = scratch.AsSpan(n, k);
        Span<float> bColumn = scratch.AsSpan(n + k, k);

        bool columnMode = !transB && n == 1;
        if (columnMode)
        {
            for (int p = 0; p < k; p++)
            {
                bColumn[p] = b[p * ldb];
            }
        }

        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> aRow;
            if (transA)
            {
                for (int p = 0; p < k; p++)
                {
                    aGather[p] = a[p * lda + i];
                }

                aRow = aGather;
            }
            else
            {
                aRow = a.Slice(i * lda, k);
            }

            if (transB)
            {
                fixed (float* pa = aRow, pb = b, pacc = acc)
                {
                    Gemv.Rows(pa, pb, ldb, n, [new KSegment(0, 0, k, 1f)], pacc, accumulate: false);
                }
            }
            else if (columnMode)
            {
                acc[0] = TensorPrimitives.Dot(aRow, bColumn);
            }
            else
            {
                acc.Clear();
                for (int p = 0; p < k; p++)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aRow[p], acc, acc);
                }
            }

            Span<float> cRow = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                TensorPrimitives.Multiply(acc, alpha, cRow);
            }
            else
            {
                TensorPrimitives.Multiply(cRow, beta, cRow);
                TensorPrimitives.MultiplyAdd(acc, alpha, cRow, cRow);
            }
        }
    }
}

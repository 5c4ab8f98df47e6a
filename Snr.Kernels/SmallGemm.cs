using System.Numerics.Tensors;

namespace Snr.Kernels;

/// <summary>
/// GEMM without packing, for shapes where packing cannot pay for itself: tiny products and
/// matrix-vector shapes (m == 1 or n == 1). Single-threaded; each row of C is one pass.
/// </summary>
/// <remarks>
/// <code>
///   for each row i of C:
///     transB:        acc[j] = dot(op(A)[i, :], B[j, :])                  (both contiguous along k)
///     n == 1:        acc[0] = dot(op(A)[i, :], B[:, 0])                  (B's column gathered once)
///     otherwise:     acc[:] = Σ_p op(A)[i, p] · B[p, :]                  (axpy over contiguous rows of B)
///     C[i, :] = alpha·acc + beta·C[i, :]   (beta == 0: overwritten)
/// </code>
/// op(A)[i, :] is a row of A, or for transA a column of A gathered into scratch.
/// </remarks>
internal static class SmallGemm
{
    [ThreadStatic] private static float[]? t_scratch;

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
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
                Gemv.Rows(aRow, b, ldb, n, 1f, acc, accumulate: false);
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

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Snr.Kernels;

/// <summary>
/// Matrix-vector products against the rows of a row-major matrix: the shape of serving one
/// request (y = x·Wᵀ for a single row x). Four rows of W are walked together so that each
/// load of x feeds four independent FMA chains, instead of one dot product (and one
/// horizontal sum and call) per output.
/// </summary>
/// <remarks>
/// <code>
///   y[r] = (accumulate ? y[r] : 0) + scale · Σ_p x[p] · w[r·ldw + p]      r &lt; rows, p &lt; x.Length
/// </code>
/// </remarks>
internal static class Gemv
{
    public static unsafe void Rows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int ldw, int rows, float scale, Span<float> y, bool accumulate)
    {
        int k = x.Length;
        if (rows == 0) return;
        if ((long)(rows - 1) * ldw + k > w.Length || y.Length < rows)
            throw new ArgumentException($"Gemv: {rows} rows of {k} with stride {ldw} need {(long)(rows - 1) * ldw + k} weights (have {w.Length}) and {rows} outputs (have {y.Length}).");
        if (!Fma.IsSupported)
        {
            for (int r = 0; r < rows; r++)
                Store(y, r, scale * TensorPrimitives.Dot(x, w.Slice(r * ldw, k)), accumulate);
            return;
        }
        fixed (float* px = x, pw = w)
        {
            int r = 0;
            // Four rows at a time, each load of x feeding four FMA chains. (Eight chains measured slower:
            // one row is a stream of weights from memory, and eight concurrent streams prefetch worse.)
            for (; r + 4 <= rows; r += 4)
            {
                float* w0 = pw + (long)r * ldw;
                Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    var xv = Avx.LoadVector256(px + p);
                    float* wp = w0 + p;
                    a0 = Fma.MultiplyAdd(Avx.LoadVector256(wp), xv, a0);
                    a1 = Fma.MultiplyAdd(Avx.LoadVector256(wp + ldw), xv, a1);
                    a2 = Fma.MultiplyAdd(Avx.LoadVector256(wp + 2 * ldw), xv, a2);
                    a3 = Fma.MultiplyAdd(Avx.LoadVector256(wp + 3 * ldw), xv, a3);
                }
                Store(y, r, scale * Finish(a0, px, w0, p, k), accumulate);
                Store(y, r + 1, scale * Finish(a1, px, w0 + ldw, p, k), accumulate);
                Store(y, r + 2, scale * Finish(a2, px, w0 + 2 * ldw, p, k), accumulate);
                Store(y, r + 3, scale * Finish(a3, px, w0 + 3 * ldw, p, k), accumulate);
            }
            // The last rows one at a time, in the same order of operations as above, so that a row's
            // value never depends on how many rows were computed with it.
            for (; r < rows; r++)
            {
                float* wr = pw + (long)r * ldw;
                Vector256<float> a = Vector256<float>.Zero;
                int p = 0;
                for (; p + 8 <= k; p += 8) a = Fma.MultiplyAdd(Avx.LoadVector256(wr + p), Avx.LoadVector256(px + p), a);
                Store(y, r, scale * Finish(a, px, wr, p, k), accumulate);
            }
        }
    }

    // The horizontal sum of a row's vector accumulator plus its scalar tail [p, k).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Finish(Vector256<float> acc, float* x, float* w, int p, int k)
    {
        float s = Vector256.Sum(acc);
        for (; p < k; p++) s += x[p] * w[p];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<float> y, int r, float value, bool accumulate) => y[r] = accumulate ? y[r] + value : value;
}

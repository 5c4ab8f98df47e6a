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
        int r = 0;
        if (Fma.IsSupported && k >= 8)
        {
            fixed (float* px = x, pw = w)
            {
                for (; r + 4 <= rows; r += 4)
                {
                    float* w0 = pw + (long)r * ldw, w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw;
                    Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                    int p = 0;
                    for (; p + 8 <= k; p += 8)
                    {
                        var xv = Avx.LoadVector256(px + p);
                        a0 = Fma.MultiplyAdd(Avx.LoadVector256(w0 + p), xv, a0);
                        a1 = Fma.MultiplyAdd(Avx.LoadVector256(w1 + p), xv, a1);
                        a2 = Fma.MultiplyAdd(Avx.LoadVector256(w2 + p), xv, a2);
                        a3 = Fma.MultiplyAdd(Avx.LoadVector256(w3 + p), xv, a3);
                    }
                    float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
                    for (; p < k; p++)
                    {
                        float xp = px[p];
                        s0 += xp * w0[p];
                        s1 += xp * w1[p];
                        s2 += xp * w2[p];
                        s3 += xp * w3[p];
                    }
                    Store(y, r, scale * s0, accumulate);
                    Store(y, r + 1, scale * s1, accumulate);
                    Store(y, r + 2, scale * s2, accumulate);
                    Store(y, r + 3, scale * s3, accumulate);
                }
            }
        }
        for (; r < rows; r++)
            Store(y, r, scale * TensorPrimitives.Dot(x, w.Slice(r * ldw, k)), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<float> y, int r, float value, bool accumulate) => y[r] = accumulate ? y[r] + value : value;
}

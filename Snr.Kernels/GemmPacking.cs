using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Snr.Kernels;

/// <summary>
/// Copies op(A) and op(B) into the panel layouts that <see cref="GemmMicrokernel"/> streams through.
/// </summary>
/// <remarks>
/// <code>
///   packed A, one strip per MR rows:   strip[kPacked][MR],   strip row r = C row i0 + r   (rows ≥ m are 0)
///   packed B, one strip per NR columns: strip[Σ Length][NR], strip column h = C column j0 + h (columns past the group are 0)
///   op(A)(i, p) = transA ? a[p·lda + i] : a[i·lda + p]
///   op(B)(p, j) = transB ? b[j·ldb + p] : b[p·ldb + j]
/// </code>
/// Packing makes every load of the microkernel sequential, and it is where the segment structure is
/// resolved: A is packed once per row block over the union of the k-ranges any segment reads, B is packed
/// per column strip with its segments back to back and each segment's scale multiplied in.
/// </remarks>
internal static unsafe class GemmPacking
{
    private const int MR = GemmMicrokernel.MR;
    private const int NR = GemmMicrokernel.NR;

    /// <summary>
    /// For row-major A (not transposed): packs rows <c>[i0, i0+rows)</c> (rows ≤ MR), k-range
    /// <c>[kStart, kStart+length)</c>, into <c>strip[kPacked .. kPacked+length)[MR]</c>, zero-filling rows past <paramref name="rows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0
    public static void PackAStrip(float* a, int lda, int i0, int rows, int kStart, int length,
        float* strip, int kPacked)
    {
        float* dst = strip + kPacked * MR;

        // op(A) row i is A row i: transpose MR rows into the strip, k outermost so the stores are sequential
        // (twice as fast as one row at a time with strided stores).
        if (rows == MR)
        {
            float* s0 = a + (long)i0 * lda + kStart, s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
            int p = 0;
            if (Avx.IsSupported)
            {
                for (; p + 8 <= length; p += 8, dst += 8 * MR)
                {
                    Transpose6x8(s0 + p, s1 + p, s2 + p, s3 + p, s4 + p, s5 + p, dst, lastInRange: p + 8 == length);
                }
            }

            for (; p < length; p++, dst += MR)
            {
                dst[0] = s0[p];
                dst[1] = s1[p];
                dst[2] = s2[p];
                dst[3] = s3[p];
                dst[4] = s4[p];
                dst[5] = s5[p];
            }

            return;
        }

        for (int p = 0; p < length; p++, dst += MR)
        {
            float* src = a + (long)i0 * lda + kStart + p;
            int r = 0;
            for (; r < rows; r++)
            {
                dst[r] = src[r * (long)lda];
            }

            for (; r < MR; r++)
            {
                dst[r] = 0f;
            }
        }
    }

    /// <summary>
    /// For transposed A: packs op(A) rows <c>[i0, i0+rows)</c> — all their MR strips, the last one zero-padded —
    /// over k-range <c>[kStart, kStart+length)</c>: <c>strip_s[kPacked + p][r] = a[(kStart+p)·lda + i0 + s·MR + r]</c>.
    /// </summary>
    /// <remarks>
    /// op(A) row i is column i of A, so for each k-step the rows of all strips are one contiguous run of A.
    /// Walking k outermost reads that run once, sequentially; packing strip by strip would touch a new
    /// cache line of A for every 6 floats.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackAStripsTransposed(float* a, int lda, int i0, int rows, int kStart, int length,
        float* packedA, long stripStride, int kPacked)
    {
        int fullStrips = rows / MR, tail = rows - fullStrips * MR;
        for (int p = 0; p < length; p++)
        {
            float* src = a + (long)(kStart + p) * lda + i0;
            float* dst = packedA + (long)(kPacked + p) * MR;
            for (int s = 0; s < fullStrips; s++, src += MR, dst += stripStride)
            {
                Vector128.Load(src).Store(dst);
                dst[4] = src[4];
                dst[5] = src[5];
            }

            if (tail > 0)
            {
                int r = 0;
                for (; r < tail; r++)
                {
                    dst[r] = src[r];
                }

                for (; r < MR; r++)
                {
                    dst[r] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Writes 8 k-steps of 6 rows, <c>dst[p·MR + r] = row_r[p]</c> for p &lt; 8, with an 8×8 AVX transpose
    /// (rows 6 and 7 are zero): four times faster than element by element.
    /// </summary>
    /// <remarks>
    /// Each k-step is stored as a full Vector256, so it also writes 2 floats into the next k-step's slot,
    /// which the next store overwrites. Packing runs in increasing address order, so that spill only ever
    /// lands on memory that is written later; the last step of a range is stored exactly.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* dst, bool lastInRange)
    {
        // t: pairs of rows interleaved; u: groups of four rows; the 128-bit lane permutes give the columns.
        Vector256<float> t0 = Avx.UnpackLow(Avx.LoadVector256(r0), Avx.LoadVector256(r1));  // a0 b0 a1 b1 | a4 b4 a5 b5
        Vector256<float> t1 = Avx.UnpackHigh(Avx.LoadVector256(r0), Avx.LoadVector256(r1)); // a2 b2 a3 b3 | a6 b6 a7 b7
        Vector256<float> t2 = Avx.UnpackLow(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> t3 = Avx.UnpackHigh(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> t4 = Avx.UnpackLow(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> t5 = Avx.UnpackHigh(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> zero = Vector256<float>.Zero;
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE); // a0 b0 c0 d0 | a4 b4 c4 d4 ; a1.. | a5..
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, zero, 0x44), u5 = Avx.Shuffle(t4, zero, 0xEE); // e0 f0 0 0 | e4 f4 0 0 ; ...
        Vector256<float> u6 = Avx.Shuffle(t5, zero, 0x44), u7 = Avx.Shuffle(t5, zero, 0xEE);
        Avx.Store(dst + 0 * MR, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 1 * MR, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * MR, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * MR, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * MR, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * MR, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * MR, Avx.Permute2x128(u2, u6, 0x31));
        Vector256<float> last = Avx.Permute2x128(u3, u7, 0x31);
        if (lastInRange)
        {
            last.GetLower().Store(dst + 7 * MR);
            dst[7 * MR + 4] = last.GetElement(4);
            dst[7 * MR + 5] = last.GetElement(5);
        }
        else
        {
            Avx.Store(dst + 7 * MR, last);
        }
    }

    /// <summary>
    /// Packs op(B) columns <c>[j0, j0+cols)</c> (cols ≤ NR) for the given pieces, back to back, each
    /// multiplied by its scale, into <c>strip[Σ Length][NR]</c>, zero-filling columns past <paramref name="cols"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBStrip(bool transB, float* b, int ldb, int j0, int cols,
        ReadOnlySpan<PackedPiece> pieces, float* strip)
    {
        float* dst = strip;
        foreach (PackedPiece piece in pieces)
        {
            float scale = piece.Scale;
            if (!transB)
            {
                // op(B) row p is B row p: each k step is a contiguous run of NR floats.
                float* src = b + (long)piece.BOffset * ldb + j0;
                if (cols == NR)
                {
                    Vector128<float> vs = Vector128.Create(scale);
                    for (int p = 0; p < piece.Length; p++, src += ldb, dst += NR)
                    {
                        (Vector128.Load(src) * vs).Store(dst);
                        (Vector128.Load(src + 4) * vs).Store(dst + 4);
                        (Vector128.Load(src + 8) * vs).Store(dst + 8);
                        (Vector128.Load(src + 12) * vs).Store(dst + 12);
                    }
                }
                else
                {
                    for (int p = 0; p < piece.Length; p++, src += ldb, dst += NR)
                    {
                        int h = 0;
                        for (; h < cols; h++)
                        {
                            dst[h] = src[h] * scale;
                        }

                        for (; h < NR; h++)
                        {
                            dst[h] = 0f;
                        }
                    }
                }
            }
            else
            {
                // op(B) column j is B row j: transpose NR rows of B into the strip, k outermost so the
                // stores are sequential.
                float* src = b + (long)j0 * ldb + piece.BOffset;
                for (int p = 0; p < piece.Length; p++)
                {
                    float* d = dst + p * NR;
                    int h = 0;
                    for (; h < cols; h++)
                    {
                        d[h] = src[h * (long)ldb + p] * scale;
                    }

                    for (; h < NR; h++)
                    {
                        d[h] = 0f;
                    }
                }

                dst += piece.Length * NR;
            }
        }
    }
}

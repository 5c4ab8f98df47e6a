using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Snr.Kernels;

/// <summary>
/// One piece of the reduction as the microkernel sees it: <see cref="Length"/> steps of k starting at
/// column <see cref="APacked"/> of the packed A strip. B needs no offset: its packed strip holds the
/// pieces back to back. <see cref="BOffset"/> and <see cref="Scale"/> are only used to pack B.
/// </summary>
internal readonly record struct PackedPiece(int APacked, int BOffset, int Length, float Scale);

/// <summary>
/// The register-blocked inner kernel of the packed GEMM: one MR×NR (6×16) tile of C.
/// </summary>
/// <remarks>
/// Shapes (llm.c style):
/// <code>
///   aStrip : [kPacked][MR]   one packed strip of MR rows of op(A); piece s reads columns APacked .. APacked+Length
///   b      : [Σ Length][NR]  one packed strip of NR columns of op(B), pieces back to back, scale folded in
///   c      : [rows][cols] with row stride ldc, rows ≤ MR, cols ≤ NR
///   acc[r][h] = Σ_pieces Σ_p aStrip[APacked+p][r] · b[p][h]         (12 Vector256 accumulators)
///   c[r][h]   = alpha·acc[r][h] + beta·c[r][h]   (beta == 0: c is overwritten, never read)
/// </code>
/// Every element of C goes through the same sequence of fused multiply-adds whatever its position in the
/// tile grid: partial tiles are computed in full on zero-padded panels and then stored element by element
/// with the same rounding as the vector store. That is what makes the result independent of how C is cut
/// between threads.
/// </remarks>
internal static unsafe class GemmMicrokernel
{
    /// <summary>Rows of C per tile (one broadcast of A per row).</summary>
    public const int MR = 6;

    /// <summary>Columns of C per tile (two Vector256 of B).</summary>
    public const int NR = 16;

    /// <summary>True when the hardware has AVX2 and FMA.</summary>
    internal static readonly bool Avx2Supported = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Set by tests on their own thread to run the portable kernel for the kernels they call from it.
    /// Read once per kernel call (see <see cref="UseAvx2"/>), so worker threads follow the caller.
    /// </summary>
    [ThreadStatic] internal static bool ForcePortable;

    /// <summary>Whether a kernel called on this thread should use the AVX2/FMA tile.</summary>
    internal static bool UseAvx2 => Avx2Supported && !ForcePortable;

    /// <summary>Computes one tile; see the type remarks for exactly what.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(bool avx2, float* aStrip, PackedPiece* pieces, int pieceCount, float* b,
        float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        if (avx2)
        {
            TileAvx2(aStrip, pieces, pieceCount, b, c, ldc, rows, cols, alpha, beta);
        }
        else
        {
            TilePortable(aStrip, pieces, pieceCount, b, c, ldc, rows, cols, alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void TileAvx2(float* aStrip, PackedPiece* pieces, int pieceCount, float* b,
        float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        for (int s = 0; s < pieceCount; s++)
        {
            float* a = aStrip + pieces[s].APacked * MR;
            float* aEnd = a + pieces[s].Length * MR;
            for (; a < aEnd; a += MR, b += NR)
            {
                Vector256<float> b0 = Avx.LoadVector256(b);
                Vector256<float> b1 = Avx.LoadVector256(b + 8);
                Vector256<float> ar = Vector256.Create(a[0]);
                c00 = Fma.MultiplyAdd(ar, b0, c00);
                c01 = Fma.MultiplyAdd(ar, b1, c01);
                ar = Vector256.Create(a[1]);
                c10 = Fma.MultiplyAdd(ar, b0, c10);
                c11 = Fma.MultiplyAdd(ar, b1, c11);
                ar = Vector256.Create(a[2]);
                c20 = Fma.MultiplyAdd(ar, b0, c20);
                c21 = Fma.MultiplyAdd(ar, b1, c21);
                ar = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(ar, b0, c30);
                c31 = Fma.MultiplyAdd(ar, b1, c31);
                ar = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(ar, b0, c40);
                c41 = Fma.MultiplyAdd(ar, b1, c41);
                ar = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(ar, b0, c50);
                c51 = Fma.MultiplyAdd(ar, b1, c51);
            }
        }

        if (rows == MR && cols == NR)
        {
            Vector256<float> va = Vector256.Create(alpha);
            if (beta == 0f)
            {
                Store(c, c00 * va, c01 * va);
                Store(c + ldc, c10 * va, c11 * va);
                Store(c + 2 * ldc, c20 * va, c21 * va);
                Store(c + 3 * ldc, c30 * va, c31 * va);
                Store(c + 4 * ldc, c40 * va, c41 * va);
                Store(c + 5 * ldc, c50 * va, c51 * va);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                Update(c, c00, c01, va, vb);
                Update(c + ldc, c10, c11, va, vb);
                Update(c + 2 * ldc, c20, c21, va, vb);
                Update(c + 3 * ldc, c30, c31, va, vb);
                Update(c + 4 * ldc, c40, c41, va, vb);
                Update(c + 5 * ldc, c50, c51, va, vb);
            }

            return;
        }

        float* tile = stackalloc float[MR * NR];
        Store(tile, c00, c01);
        Store(tile + NR, c10, c11);
        Store(tile + 2 * NR, c20, c21);
        Store(tile + 3 * NR, c30, c31);
        Store(tile + 4 * NR, c40, c41);
        Store(tile + 5 * NR, c50, c51);
        StorePartial(tile, c, ldc, rows, cols, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> lo, Vector256<float> hi)
    {
        Avx.Store(c, lo);
        Avx.Store(c + 8, hi);
    }

    // c = alpha·acc + beta·c, one rounding for the add (the same as MathF.FusedMultiplyAdd in StorePartial).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> va, Vector256<float> vb)
    {
        Avx.Store(c, Fma.MultiplyAdd(lo, va, Avx.LoadVector256(c) * vb));
        Avx.Store(c + 8, Fma.MultiplyAdd(hi, va, Avx.LoadVector256(c + 8) * vb));
    }

    /// <summary>Writes the top-left rows×cols of a full MR×NR accumulator tile into C, element by element.</summary>
    private static void StorePartial(float* tile, float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + r * ldc;
            float* tr = tile + r * NR;
            if (beta == 0f)
            {
                for (int h = 0; h < cols; h++)
                {
                    cr[h] = tr[h] * alpha;
                }
            }
            else
            {
                for (int h = 0; h < cols; h++)
                {
                    cr[h] = MathF.FusedMultiplyAdd(tr[h], alpha, cr[h] * beta);
                }
            }
        }
    }

    /// <summary>
    /// The same tile with Vector128 arithmetic (SSE on x64, AdvSimd on Arm64), for machines without AVX2/FMA.
    /// The multiply-adds are not fused here, so results differ from the AVX2 kernel in the last bits, but they
    /// are still independent of the thread count.
    /// </summary>
    [SkipLocalsInit]
    private static void TilePortable(float* aStrip, PackedPiece* pieces, int pieceCount, float* b,
        float* c, int ldc, int rows, int cols, float alpha, float beta)
    {
        // acc[r][q] holds columns 4q .. 4q+3 of row r.
        Vector128<float>* acc = stackalloc Vector128<float>[MR * 4];
        for (int i = 0; i < MR * 4; i++)
        {
            acc[i] = Vector128<float>.Zero;
        }

        for (int s = 0; s < pieceCount; s++)
        {
            float* a = aStrip + pieces[s].APacked * MR;
            float* aEnd = a + pieces[s].Length * MR;
            for (; a < aEnd; a += MR, b += NR)
            {
                Vector128<float> b0 = Vector128.Load(b);
                Vector128<float> b1 = Vector128.Load(b + 4);
                Vector128<float> b2 = Vector128.Load(b + 8);
                Vector128<float> b3 = Vector128.Load(b + 12);
                for (int r = 0; r < MR; r++)
                {
                    Vector128<float> ar = Vector128.Create(a[r]);
                    Vector128<float>* row = acc + r * 4;
                    row[0] += ar * b0;
                    row[1] += ar * b1;
                    row[2] += ar * b2;
                    row[3] += ar * b3;
                }
            }
        }

        StorePartial((float*)acc, c, ldc, rows, cols, alpha, beta);
    }
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Snr.Kernels;

/// <summary>
/// Products of a few rows with the transpose of a row-major matrix, without packing: the shape of
/// serving one request (y = x·Wᵀ for a single row x), where every weight is used once and packing
/// would only copy it. The reduction is given as K-segments with a scale each, as in
/// <see cref="PackedGemm"/>, so that a routed layer walks each row of W once across all its live
/// blocks instead of once per block.
/// </summary>
/// <remarks>
/// What is computed, for every column group g, every batch row b and every column c of g:
/// <code>
///   y[b, c] = (accumulate ? y[b, c] : 0) + Σ_{s in segments_g} s.Scale · Σ_p x[b, s.AOffset + p] · W[c, s.BOffset + p]     p &lt; s.Length
/// </code>
/// A group without segments leaves its columns as they are (accumulate) or zero.
///
/// Four rows of W are walked together, so that each load of x feeds four independent FMA chains
/// (eight chains measured slower: each row is a stream of weights from memory, and eight concurrent
/// streams prefetch worse). Items of parallel work are runs of <see cref="RowsPerItem"/> columns; every
/// column is the same sequence of operations whichever item, thread or neighbour it is computed with,
/// so results are bit-identical for any thread count and any batch composition.
/// </remarks>
internal static unsafe class Gemv
{
    /// <summary>Columns of y (rows of W) per item of parallel work.</summary>
    internal const int RowsPerItem = 32;

    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    internal const long ParallelMultiplyAdds = 1L << 16;

    [ThreadStatic] private static Job? t_job;

    /// <summary>
    /// Runs the product described in the type remarks. All pointers must stay valid (pinned) for the call.
    /// W is row-major with row stride <paramref name="ldw"/>, or, when <paramref name="interleaved"/>, the
    /// <see cref="InterleavedRows.Data"/> of a matrix with <paramref name="ldw"/> columns; then every group
    /// must start at a multiple of 4 rows and every segment must fit (<see cref="InterleavedRows.Fits"/>).
    /// </summary>
    public static void Run(int batch, float* x, int ldx, float* w, int ldw, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments,
        float* y, int ldy, bool accumulate, int maxThreads, bool interleaved = false)
    {
        if (batch == 0 || groups.Length == 0)
        {
            return;
        }

        Job job = t_job is { InUse: false } cached ? cached : new Job();
        t_job = job;
        job.InUse = true;
        try
        {
            long multiplyAdds = job.Plan(batch, x, ldx, w, ldw, interleaved, groups, segments, y, ldy, accumulate);
            job.Run(job.ItemCount, multiplyAdds >= ParallelMultiplyAdds ? KernelThreads.Resolve(maxThreads) : 1);
        }
        finally
        {
            job.Release();
            job.InUse = false;
        }
    }

    /// <summary>
    /// One batch row, columns <c>[0, rows)</c> of one group: <c>y[c] = (accumulate ? y[c] : 0) + Σ_s s.Scale·dot(x[s.A..], w[c·ldw + s.B..])</c>.
    /// </summary>
    public static void Rows(float* x, float* w, int ldw, int rows, ReadOnlySpan<KSegment> segments, float* y, bool accumulate)
    {
        if (!Fma.IsSupported)
        {
            for (int r = 0; r < rows; r++)
            {
                float sum = 0f;
                foreach (var s in segments)
                    sum += s.Scale * TensorPrimitives.Dot(new ReadOnlySpan<float>(x + s.AOffset, s.Length), new ReadOnlySpan<float>(w + (long)r * ldw + s.BOffset, s.Length));
                y[r] = accumulate ? y[r] + sum : sum;
            }
            return;
        }

        int row = 0;
        for (; row + 4 <= rows; row += 4)
        {
            FourRows(x, w + (long)row * ldw, ldw, spread: 1, segments, y + row, 4, accumulate);
        }

        // The last rows one at a time, in the same order of operations as above, so that a row's
        // value never depends on how many rows were computed with it.
        for (; row < rows; row++)
        {
            float* wr = w + (long)row * ldw;
            Vector256<float> t = Vector256<float>.Zero;
            float tail = 0f;
            foreach (var s in segments)
            {
                float* xs = x + s.AOffset, ws = wr + s.BOffset;
                Vector256<float> a = Vector256<float>.Zero;
                int p = 0;
                for (; p + 8 <= s.Length; p += 8)
                {
                    a = Fma.MultiplyAdd(Avx.LoadVector256(ws + p), Avx.LoadVector256(xs + p), a);
                }

                t = Fma.MultiplyAdd(a, Vector256.Create(s.Scale), t);
                if (p < s.Length)
                {
                    tail += s.Scale * Tail(xs, ws, p, s.Length);
                }
            }

            Store(y + row, Vector256.Sum(t) + tail, accumulate);
        }
    }

    /// <summary>
    /// <see cref="Rows"/> on the interleaved layout: <paramref name="w"/> points at the group of four rows that holds
    /// row 0 (<see cref="InterleavedRows"/>), and segments have no scalar tails. Every value is summed in the same
    /// order as <see cref="Rows"/> sums it (both run <see cref="FourRows"/>), so the two give the same bits. Rows are
    /// computed four at a time, and only the first <paramref name="rows"/> are stored.
    /// </summary>
    public static void RowsInterleaved(float* x, float* w, int columns, int rows, ReadOnlySpan<KSegment> segments, float* y, bool accumulate)
    {
        for (int row = 0; row < rows; row += 4)
        {
            FourRows(x, w + (long)row * columns, InterleavedRows.Chunk, spread: 4, segments, y + row, Math.Min(4, rows - row), accumulate);
        }
    }

    /// <summary>
    /// Four rows of W against x, the first <paramref name="store"/> of them stored. Element (q, c) of the four rows
    /// lies at <c>w + q·rowStride + c·spread</c> for the first column c of each 8-float chunk, the chunk's other
    /// seven following it: row-major is (ldw, 1), interleaved is (8, 4). Each load of x feeds four FMA chains.
    /// A segment's scalar tail (its last Length % 8 columns) is only read in the row-major layout, where
    /// <paramref name="spread"/> is 1; the interleaved layout never has one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows(float* x, float* w, int rowStride, int spread, ReadOnlySpan<KSegment> segments, float* y, int store, bool accumulate)
    {
        Vector256<float> t0 = Vector256<float>.Zero, t1 = t0, t2 = t0, t3 = t0;
        float tail0 = 0f, tail1 = 0f, tail2 = 0f, tail3 = 0f;
        foreach (var s in segments)
        {
            float* xs = x + s.AOffset, ws = w + (long)s.BOffset * spread, wp = ws;
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int p = 0;
            for (; p + 8 <= s.Length; p += 8, wp += 8 * spread)
            {
                var xv = Avx.LoadVector256(xs + p);
                a0 = Fma.MultiplyAdd(Avx.LoadVector256(wp), xv, a0);
                a1 = Fma.MultiplyAdd(Avx.LoadVector256(wp + rowStride), xv, a1);
                a2 = Fma.MultiplyAdd(Avx.LoadVector256(wp + 2 * rowStride), xv, a2);
                a3 = Fma.MultiplyAdd(Avx.LoadVector256(wp + 3 * rowStride), xv, a3);
            }

            var z = Vector256.Create(s.Scale);
            t0 = Fma.MultiplyAdd(a0, z, t0);
            t1 = Fma.MultiplyAdd(a1, z, t1);
            t2 = Fma.MultiplyAdd(a2, z, t2);
            t3 = Fma.MultiplyAdd(a3, z, t3);
            if (p < s.Length)
            {
                tail0 += s.Scale * Tail(xs, ws, p, s.Length);
                tail1 += s.Scale * Tail(xs, ws + rowStride, p, s.Length);
                tail2 += s.Scale * Tail(xs, ws + 2 * rowStride, p, s.Length);
                tail3 += s.Scale * Tail(xs, ws + 3 * rowStride, p, s.Length);
            }
        }

        Store(y, Vector256.Sum(t0) + tail0, accumulate);
        if (store > 1) Store(y + 1, Vector256.Sum(t1) + tail1, accumulate);
        if (store > 2) Store(y + 2, Vector256.Sum(t2) + tail2, accumulate);
        if (store > 3) Store(y + 3, Vector256.Sum(t3) + tail3, accumulate);
    }

    // Σ x[p]·w[p] over the scalar tail [p, length) of a segment.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* x, float* w, int p, int length)
    {
        float s = 0f;
        for (; p < length; p++) s += x[p] * w[p];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, float value, bool accumulate) => *y = accumulate ? *y + value : value;

    /// <summary>Items are runs of ≤ <see cref="RowsPerItem"/> columns of one group, for every batch row.</summary>
    private sealed class Job : ParallelJob
    {
        public bool InUse;
        public int ItemCount;

        private readonly record struct Item(int Group, int ColumnStart, int Columns);

        private int _batch, _ldx, _ldw, _ldy;
        private float* _x, _w, _y;
        private bool _accumulate, _interleaved;
        private ColumnGroup[] _groups = [];
        private KSegment[] _segments = [];
        private Item[] _items = [];

        /// <summary>Records the call and cuts it into items; returns its multiply-adds.</summary>
        public long Plan(int batch, float* x, int ldx, float* w, int ldw, bool interleaved, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments,
            float* y, int ldy, bool accumulate)
        {
            if (interleaved && (!Fma.IsSupported || !InterleavedRows.Fits(segments) || ldw % InterleavedRows.Chunk != 0))
                throw new ArgumentException("The interleaved layout needs AVX2/FMA, segments of whole 8-float chunks and a multiple of 8 columns.");
            (_batch, _ldx, _ldw, _ldy, _accumulate, _interleaved) = (batch, ldx, ldw, ldy, accumulate, interleaved);
            _x = x;
            _w = w;
            _y = y;
            groups.CopyTo(ScratchArray.Grow(ref _groups, groups.Length));
            segments.CopyTo(ScratchArray.Grow(ref _segments, segments.Length));
            int count = 0;
            foreach (var g in groups)
            {
                count += (g.ColumnCount + RowsPerItem - 1) / RowsPerItem;
            }

            ScratchArray.Grow(ref _items, count);
            long multiplyAdds = 0;
            count = 0;
            for (int gi = 0; gi < groups.Length; gi++)
            {
                ColumnGroup g = groups[gi];
                if (interleaved && g.ColumnStart % 4 != 0)
                    throw new ArgumentException($"Column group {gi} starts at row {g.ColumnStart} of W, inside a group of four interleaved rows.");
                for (int start = 0; start < g.ColumnCount; start += RowsPerItem)
                {
                    _items[count++] = new Item(gi, g.ColumnStart + start, Math.Min(RowsPerItem, g.ColumnCount - start));
                }

                for (int s = g.SegmentStart; s < g.SegmentStart + g.SegmentCount; s++)
                {
                    multiplyAdds += (long)batch * g.ColumnCount * segments[s].Length;
                }
            }

            ItemCount = count;
            return multiplyAdds;
        }

        /// <summary>Drops the call's pointers so that a cached job cannot touch memory it no longer owns.</summary>
        public void Release() => _x = _w = _y = null;

        protected override void Execute(int index)
        {
            Item item = _items[index];
            ColumnGroup g = _groups[item.Group];
            ReadOnlySpan<KSegment> segments = _segments.AsSpan(g.SegmentStart, g.SegmentCount);
            for (int b = 0; b < _batch; b++)
            {
                float* y = _y + (long)b * _ldy + item.ColumnStart;
                if (segments.IsEmpty)
                {
                    if (!_accumulate) new Span<float>(y, item.Columns).Clear();
                    continue;
                }

                // Row r of a row-major W and the group of four interleaved rows that starts at row r (r a multiple
                // of 4, as every item start is) are both at r·ldw.
                float* w = _w + (long)item.ColumnStart * _ldw;
                if (_interleaved)
                    RowsInterleaved(_x + (long)b * _ldx, w, _ldw, item.Columns, segments, y, _accumulate);
                else
                    Rows(_x + (long)b * _ldx, w, _ldw, item.Columns, segments, y, _accumulate);
            }
        }
    }
}

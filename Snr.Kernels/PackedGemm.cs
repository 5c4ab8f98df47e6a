using System.Runtime.CompilerServices;

namespace Snr.Kernels;

/// <summary>
/// The packed, register-blocked, multi-threaded GEMM engine (GotoBLAS/BLIS structure) behind
/// <see cref="Sgemm"/> and the routed matmul, generalised to a reduction given as K-segments.
/// </summary>
/// <remarks>
/// What is computed, for every column group g (see <see cref="ColumnGroup"/>) and every C row i:
/// <code>
///   C[i, cols_g] = alpha · Σ_{s in segments_g} s.Scale · op(A)[i, s.AOffset ..+ s.Length] · op(B)[s.BOffset ..+ s.Length, cols_g]
///                + beta · C[i, cols_g]                       (beta == 0: C is overwritten, NaNs in C are not propagated)
/// </code>
/// Optionally C's rows are cut into row blocks of <c>rowBlockHeight</c> rows and group g is only needed
/// on row block r where <c>liveTiles[r · groupCount + g]</c>; the routed weight gradient uses this to skip
/// the dead blocks of a block grid. Work is skipped per MR-row strip, and a strip that straddles a live and
/// a dead row block is computed whole, so a dead tile's rows next to a live block may be written (with their
/// correct values); other dead tiles are not touched. Strips are not aligned to row blocks so that a block
/// height that is not a multiple of MR (32 = 5·6 + 2) costs no padding.
///
/// The loops, outermost first:
/// <code>
///   phase 1, in parallel over B strips:  pack every group's op(B) columns as NR-wide strips, segments back to back, scaled
///                                        (skipped when the caller passes op(B) packed once, <see cref="PackB"/>)
///   phase 2, in parallel over row blocks of C (≤ MC rows, a multiple of MR):
///     pack op(A) rows of the block over the union of all segments' A ranges   (MR-tall strips, L2-resident per chunk)
///     for each group g, for each chunk of ≤ KC reduction steps of g          (the only point where C is re-read)
///       for each NR strip of g                                                (B chunk, KC×NR, stays in L1)
///         for each MR strip of the block → GemmMicrokernel.Tile              (all the chunk's segments in registers)
/// </code>
/// Threads split rows of C only, never the reduction, and the chunking depends on the shapes alone, so
/// every element of C is the same sequence of operations for any thread count: results are bit-identical.
/// </remarks>
internal static unsafe class PackedGemm
{
    private const int MR = GemmMicrokernel.MR;
    private const int NR = GemmMicrokernel.NR;

    /// <summary>Reduction steps per chunk: a KC×NR strip of B (16 KiB) fits L1 beside the A strip it meets.</summary>
    internal const int KC = 256;

    /// <summary>Largest row block: MC×KC floats of packed A (144 KiB) stay in a 512 KiB L2.</summary>
    internal const int MC = 144;

    /// <summary>Below this many flops a second thread costs more to wake than it saves.</summary>
    internal const long ParallelFlops = 1L << 22;

    [ThreadStatic] private static float[]? t_aBuffer;
    [ThreadStatic] private static float[]? t_bBuffer;
    [ThreadStatic] private static Job? t_job;

    /// <summary>
    /// Runs the engine; see the type remarks. All pointers must stay valid (pinned) for the call.
    /// <paramref name="packedB"/>, when given, is op(B) already packed by <see cref="PackB"/> for the same
    /// B, groups and segments, and phase 1 is skipped (B is then not read).
    /// </summary>
    public static void Run(bool transA, bool transB, int m, float* a, int lda, float* b, int ldb,
        float alpha, float beta, float* c, int ldc,
        ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments,
        int rowBlockHeight, ReadOnlySpan<bool> liveTiles, int maxThreads, PackedOperand? packedB = null)
    {
        if (m == 0 || groups.Length == 0)
        {
            return;
        }

        Job job = t_job is { InUse: false } cached ? cached : new Job();
        t_job = job;
        job.InUse = true;
        try
        {
            job.Plan(transA, transB, m, a, lda, b, ldb, alpha, beta, c, ldc, groups, segments, rowBlockHeight, liveTiles,
                KernelThreads.Resolve(maxThreads));
            job.UsePackedB(packedB, transB, ldb, groups, segments);
            job.RunPhases();
            GC.KeepAlive(packedB); // the job reads it through a raw pointer until here
        }
        finally
        {
            job.Release();
            job.InUse = false;
        }
    }

    /// <summary>
    /// Packs op(B) for <paramref name="groups"/> and <paramref name="segments"/> once, for products whose B never
    /// changes (a served model's weights): <see cref="Run"/> with the result skips phase 1 and gives the same bits.
    /// </summary>
    public static PackedOperand PackB(bool transB, float* b, int ldb, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments)
    {
        var job = new Job();
        try
        {
            job.Plan(false, transB, 1, null, 1, b, ldb, 1f, 0f, null, 1, groups, segments, rowBlockHeight: 0, liveTiles: default, threads: 1);
            return job.PackIntoNewOperand(transB, ldb, groups, segments);
        }
        finally
        {
            job.Release();
        }
    }

    /// <summary>Per group: where its packed B lives and which chunks and pieces make up its reduction.</summary>
    private struct GroupPlan
    {
        public int ColumnStart, ColumnCount, Strips;
        public int K;              // Σ segment lengths
        public long BBase;         // offset of strip 0 in packed B; strip t starts at BBase + t·K·NR
        public int PieceStart, PieceCount;
        public int ChunkStart, ChunkCount;
    }

    /// <summary>A run of ≤ KC reduction steps of one group, accumulated in registers in one microkernel call.</summary>
    private readonly record struct Chunk(int PieceStart, int PieceCount, int KStart);

    /// <summary>Rows <c>[RowStart, RowStart+Rows)</c> of C, a multiple of MR rows except at the end.</summary>
    private readonly record struct RowItem(int RowStart, int Rows);

    /// <summary>A maximal k-range of op(A) that some segment reads, and where it starts in packed A.</summary>
    private readonly record struct ARange(int Start, int Length, int PackedStart);

    private sealed class Job : ParallelJob
    {
        public bool InUse;

        private bool _transA, _transB;
        private float* _a, _b, _c, _packedB;
        private int _lda, _ldb, _ldc;
        private float _alpha, _beta;
        private int _groupCount, _rangeCount, _kPacked, _stripCount;
        private bool[] _liveStore = [];
        private bool _hasLive;
        private int _rowBlockHeight;
        private GroupPlan[] _groups = [];
        private ARange[] _ranges = [];
        private PackedPiece[] _pieces = [];
        private Chunk[] _chunks = [];
        private RowItem[] _items = [];
        private int[] _stripGroup = [];
        private int _itemCount, _threads;
        private bool _packingPhase, _bPrepacked;
        private long _bFloats;
        private bool _avx2;

        public void Plan(bool transA, bool transB, int m, float* a, int lda, float* b, int ldb,
            float alpha, float beta, float* c, int ldc,
            ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments,
            int rowBlockHeight, ReadOnlySpan<bool> liveTiles, int threads)
        {
            (_transA, _transB, _lda, _ldb, _ldc, _alpha, _beta) = (transA, transB, lda, ldb, ldc, alpha, beta);
            _a = a;
            _b = b;
            _c = c;
            _groupCount = groups.Length;
            _avx2 = GemmMicrokernel.UseAvx2;

            PlanARanges(segments);
            long bFloats = PlanGroups(groups, segments);
            PlanLiveness(m, rowBlockHeight, liveTiles);

            // Work: 2·rows·Σ width·K over live tiles (rows approximated by m for the thread decision).
            long flops = 0;
            for (int g = 0; g < _groupCount; g++)
            {
                flops += 2L * m * _groups[g].ColumnCount * _groups[g].K;
            }

            _threads = flops < ParallelFlops ? 1 : threads;
            PlanRowItems(m);

            _bFloats = bFloats;
        }

        /// <summary>
        /// Where the planned product's packed op(B) lives: <paramref name="packedB"/>, checked against the product, whose
        /// phase 1 is then skipped, or (null) this thread's packing buffer, filled in phase 1.
        /// </summary>
        public void UsePackedB(PackedOperand? packedB, bool transB, int ldb, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments)
        {
            _bPrepacked = packedB is not null;
            if (packedB is not null)
            {
                if (!packedB.IsFor(transB, ldb, groups, segments) || packedB.Floats != _bFloats)
                    throw new ArgumentException("The pre-packed op(B) was packed for another product (transposition, leading dimension, column groups or segments differ).", nameof(packedB));
                _packedB = AlignTo64(packedB.Buffer);
                return;
            }

            float[] bBuffer = t_bBuffer is { } existing && existing.Length >= _bFloats + 16
                ? existing
                : t_bBuffer = GC.AllocateUninitializedArray<float>((int)Math.Max(_bFloats + 16, 1024), pinned: true);
            _packedB = AlignTo64(bBuffer);
        }

        /// <summary>Runs phase 1 of the planned product into a new operand of its own (see <see cref="PackB"/>).</summary>
        public PackedOperand PackIntoNewOperand(bool transB, int ldb, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments)
        {
            var operand = new PackedOperand(GC.AllocateUninitializedArray<float>((int)_bFloats + 16, pinned: true), _bFloats, transB, ldb, groups, segments);
            _packedB = AlignTo64(operand.Buffer);
            PackAllStrips(threads: 1);
            return operand;
        }

        /// <summary>Merges the A ranges of all segments into sorted, disjoint ranges and numbers them in packed A.</summary>
        private void PlanARanges(ReadOnlySpan<KSegment> segments)
        {
            ScratchArray.Grow(ref _ranges, segments.Length);
            int count = 0;
            foreach (KSegment s in segments)
            {
                if (s.Length <= 0)
                {
                    continue;
                }

                // Insertion sort by start: segment lists are short (one per live block at most).
                int at = count++;
                while (at > 0 && _ranges[at - 1].Start > s.AOffset)
                {
                    _ranges[at] = _ranges[at - 1];
                    at--;
                }

                _ranges[at] = new ARange(s.AOffset, s.Length, 0);
            }

            int merged = 0, packed = 0;
            for (int i = 0; i < count; i++)
            {
                ARange r = _ranges[i];
                if (merged > 0 && r.Start <= _ranges[merged - 1].Start + _ranges[merged - 1].Length)
                {
                    ARange last = _ranges[merged - 1];
                    int end = Math.Max(last.Start + last.Length, r.Start + r.Length);
                    packed += end - (last.Start + last.Length);
                    _ranges[merged - 1] = last with { Length = end - last.Start };
                }
                else
                {
                    _ranges[merged++] = r with { PackedStart = packed };
                    packed += r.Length;
                }
            }

            _rangeCount = merged;
            _kPacked = packed;
        }

        private int PackedA(int aOffset)
        {
            for (int r = 0; r < _rangeCount; r++)
            {
                ARange range = _ranges[r];
                if (aOffset >= range.Start && aOffset < range.Start + range.Length)
                {
                    return range.PackedStart + (aOffset - range.Start);
                }
            }

            throw new InvalidOperationException("Segment outside the packed A ranges.");
        }

        /// <summary>Cuts each group's reduction into balanced chunks of ≤ KC steps and lays out packed B.</summary>
        private long PlanGroups(ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments)
        {
            ScratchArray.Grow(ref _groups, groups.Length);
            int maxPieces = 0, maxChunks = 0, strips = 0;
            foreach (ColumnGroup g in groups)
            {
                int k = 0;
                for (int s = 0; s < g.SegmentCount; s++)
                {
                    k += Math.Max(0, segments[g.SegmentStart + s].Length);
                }

                int chunks = (k + KC - 1) / KC;
                maxChunks += chunks;
                maxPieces += g.SegmentCount + chunks;
                strips += (g.ColumnCount + NR - 1) / NR;
            }

            ScratchArray.Grow(ref _pieces, maxPieces);
            ScratchArray.Grow(ref _chunks, maxChunks);
            ScratchArray.Grow(ref _stripGroup, strips);
            _stripCount = strips;

            int pieceCount = 0, chunkCount = 0, stripAt = 0;
            long bBase = 0;
            for (int gi = 0; gi < groups.Length; gi++)
            {
                ColumnGroup g = groups[gi];
                ref GroupPlan plan = ref _groups[gi];
                plan.ColumnStart = g.ColumnStart;
                plan.ColumnCount = g.ColumnCount;
                plan.Strips = (g.ColumnCount + NR - 1) / NR;
                plan.K = 0;
                for (int s = 0; s < g.SegmentCount; s++)
                {
                    plan.K += Math.Max(0, segments[g.SegmentStart + s].Length);
                }

                plan.BBase = bBase;
                bBase += (long)plan.Strips * plan.K * NR;
                for (int t = 0; t < plan.Strips; t++)
                {
                    _stripGroup[stripAt++] = gi;
                }

                // Balanced chunks: K = 300 is two chunks of 150, not 256 + 44.
                int chunks = (plan.K + KC - 1) / KC;
                int chunkLength = chunks == 0 ? 0 : (plan.K + chunks - 1) / chunks;
                plan.PieceStart = pieceCount;
                plan.ChunkStart = chunkCount;
                int kDone = 0, chunkEnd = 0;
                for (int s = 0; s < g.SegmentCount; s++)
                {
                    KSegment seg = segments[g.SegmentStart + s];
                    int done = 0;
                    while (done < seg.Length)
                    {
                        if (kDone == chunkEnd)
                        {
                            _chunks[chunkCount++] = new Chunk(pieceCount, 0, kDone);
                            chunkEnd = Math.Min(plan.K, kDone + chunkLength);
                        }

                        int length = Math.Min(seg.Length - done, chunkEnd - kDone);
                        _pieces[pieceCount++] = new PackedPiece(PackedA(seg.AOffset + done), seg.BOffset + done, length, seg.Scale);
                        _chunks[chunkCount - 1] = _chunks[chunkCount - 1] with { PieceCount = _chunks[chunkCount - 1].PieceCount + 1 };
                        done += length;
                        kDone += length;
                    }
                }

                plan.PieceCount = pieceCount - plan.PieceStart;
                plan.ChunkCount = chunkCount - plan.ChunkStart;
            }

            return bBase;
        }

        private void PlanLiveness(int m, int rowBlockHeight, ReadOnlySpan<bool> liveTiles)
        {
            _hasLive = rowBlockHeight > 0;
            _rowBlockHeight = _hasLive ? rowBlockHeight : m;
            if (_hasLive)
            {
                int rowBlocks = (m + rowBlockHeight - 1) / rowBlockHeight;
                ScratchArray.Grow(ref _liveStore, rowBlocks * _groupCount);
                liveTiles[..(rowBlocks * _groupCount)].CopyTo(_liveStore);
            }
        }

        /// <summary>
        /// Cuts the rows of C into items of ≤ MC rows (multiples of MR) of nearly equal size: a multiple of
        /// the thread count so no thread idles at the end, and about four per thread when the live tiles
        /// make the items uneven. Items with no live tile are dropped.
        /// </summary>
        private void PlanRowItems(int m)
        {
            int units = (m + MR - 1) / MR;
            int pieces = (m + MC - 1) / MC;
            if (_threads > 1)
            {
                pieces = Math.Max(pieces, _hasLive ? 4 * _threads : _threads);
                pieces = (pieces + _threads - 1) / _threads * _threads;
            }

            pieces = Math.Min(pieces, units);
            ScratchArray.Grow(ref _items, pieces);
            _itemCount = 0;
            for (int q = 0; q < pieces; q++)
            {
                int u0 = (int)((long)units * q / pieces), u1 = (int)((long)units * (q + 1) / pieces);
                int start = u0 * MR, end = Math.Min(m, u1 * MR);
                if (end > start && Live(start, end - start, group: -1))
                {
                    _items[_itemCount++] = new RowItem(start, end - start);
                }
            }
        }

        /// <summary>Whether any of rows [row0, row0+rows) is in a row block that is live for the group (−1: any group).</summary>
        private bool Live(int row0, int rows, int group)
        {
            if (!_hasLive)
            {
                return true;
            }

            int last = (row0 + rows - 1) / _rowBlockHeight;
            for (int rb = row0 / _rowBlockHeight; rb <= last; rb++)
            {
                for (int g = group < 0 ? 0 : group; g < (group < 0 ? _groupCount : group + 1); g++)
                {
                    if (_liveStore[rb * _groupCount + g])
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public void RunPhases()
        {
            if (!_bPrepacked)
            {
                PackAllStrips(_stripCount >= 4 ? _threads : 1);
            }

            Run(_itemCount, _threads);
        }

        // Phase 1: every strip of op(B) into _packedB.
        private void PackAllStrips(int threads)
        {
            _packingPhase = true;
            try
            {
                Run(_stripCount, threads);
            }
            finally
            {
                _packingPhase = false;
            }
        }

        protected override void Execute(int item)
        {
            if (_packingPhase)
            {
                PackB(item);
            }
            else
            {
                Compute(_items[item]);
            }
        }

        private void PackB(int strip)
        {
            int gi = _stripGroup[strip];
            ref GroupPlan g = ref _groups[gi];
            int t = strip;
            for (int before = 0; before < gi; before++)
            {
                t -= _groups[before].Strips;
            }

            int j0 = g.ColumnStart + t * NR;
            int cols = Math.Min(NR, g.ColumnStart + g.ColumnCount - j0);
            GemmPacking.PackBStrip(_transB, _b, _ldb, j0, cols, _pieces.AsSpan(g.PieceStart, g.PieceCount),
                _packedB + g.BBase + (long)t * g.K * NR);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0
        private void Compute(RowItem item)
        {
            int strips = (item.Rows + MR - 1) / MR;
            long stripStride = (long)_kPacked * MR;
            long needed = strips * stripStride + 16;
            float[] buffer = t_aBuffer is { } existing && existing.Length >= needed
                ? existing
                : t_aBuffer = GC.AllocateUninitializedArray<float>((int)Math.Max(needed, 4096), pinned: true);
            float* packedA = AlignTo64(buffer);

            if (_transA)
            {
                // op(A) rows are A's columns: one pass down A's rows packs all the item's strips at once,
                // reading each row of A as one contiguous run instead of 6 floats per strip.
                for (int r = 0; r < _rangeCount; r++)
                {
                    ARange range = _ranges[r];
                    GemmPacking.PackAStripsTransposed(_a, _lda, item.RowStart, item.Rows, range.Start, range.Length,
                        packedA, stripStride, range.PackedStart);
                }
            }
            else
            {
                for (int s = 0; s < strips; s++)
                {
                    int i0 = item.RowStart + s * MR;
                    int rows = Math.Min(MR, item.RowStart + item.Rows - i0);
                    if (!Live(i0, rows, group: -1))
                    {
                        continue; // no group needs these rows: the strip is never read
                    }

                    for (int r = 0; r < _rangeCount; r++)
                    {
                        ARange range = _ranges[r];
                        GemmPacking.PackAStrip(_a, _lda, i0, rows, range.Start, range.Length,
                            packedA + s * stripStride, range.PackedStart);
                    }
                }
            }

            // Which MR strips each group needs, worked out once per group rather than once per tile.
            bool* stripLive = stackalloc bool[strips];
            fixed (PackedPiece* pieces = _pieces)
            {
                for (int gi = 0; gi < _groupCount; gi++)
                {
                    if (!Live(item.RowStart, item.Rows, gi))
                    {
                        continue;
                    }

                    for (int s = 0; s < strips; s++)
                    {
                        stripLive[s] = !_hasLive || Live(item.RowStart + s * MR, Math.Min(MR, item.Rows - s * MR), gi);
                    }

                    ref GroupPlan g = ref _groups[gi];
                    float* cBlock = _c + (long)item.RowStart * _ldc + g.ColumnStart;
                    if (g.ChunkCount == 0)
                    {
                        for (int s = 0; s < strips; s++)
                        {
                            int rows = Math.Min(MR, item.Rows - s * MR);
                            if (stripLive[s])
                            {
                                ScaleBlock(cBlock + (long)s * MR * _ldc, _ldc, rows, g.ColumnCount, _beta);
                            }
                        }

                        continue;
                    }

                    for (int ch = 0; ch < g.ChunkCount; ch++)
                    {
                        Chunk chunk = _chunks[g.ChunkStart + ch];
                        float beta = ch == 0 ? _beta : 1f;
                        for (int t = 0; t < g.Strips; t++)
                        {
                            int cols = Math.Min(NR, g.ColumnCount - t * NR);
                            float* bStrip = _packedB + g.BBase + ((long)t * g.K + chunk.KStart) * NR;
                            for (int s = 0; s < strips; s++)
                            {
                                if (!stripLive[s])
                                {
                                    continue;
                                }

                                int rows = Math.Min(MR, item.Rows - s * MR);

                                GemmMicrokernel.Tile(_avx2, packedA + s * stripStride, pieces + chunk.PieceStart, chunk.PieceCount,
                                    bStrip, cBlock + (long)s * MR * _ldc + t * NR, _ldc, rows, cols, _alpha, beta);
                            }
                        }
                    }
                }
            }
        }

        public void Release()
        {
            // Drop the pointers so a stale job cannot touch memory it no longer owns.
            _a = _b = _c = _packedB = null;
        }
    }

    /// <summary>C[rows×cols] = beta·C (beta == 0 writes zeros, so NaNs are not propagated).</summary>
    internal static void ScaleBlock(float* c, int ldc, int rows, int cols, float beta)
    {
        if (beta == 1f)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            Span<float> row = new(c + (long)r * ldc, cols);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    private static float* AlignTo64(float[] pinnedArray)
    {
        // The array lives on the pinned object heap, so its address is stable.
        fixed (float* p = pinnedArray)
        {
            return (float*)(((nint)p + 63) & ~(nint)63);
        }
    }
}

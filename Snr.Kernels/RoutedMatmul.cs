using System.Numerics.Tensors;

namespace Snr.Kernels;

/// <summary>
/// The block-sparse matmul of an SNR-Trans routing layer: a dense layer whose weight is cut into a
/// kOut × kIn grid of blocks, block (i, j) scaled by its gate z_ij, skipping every block whose gate is 0.
/// </summary>
/// <remarks>
/// Shapes (row-major, PyTorch Linear layout, y = x·Wᵀ):
/// <code>
///   gates  z  [kOut, kIn]                 z_ij scales block (i, j); z_ij == 0 skips it (any other value, even NaN, is live)
///   x         [batch, kIn·hIn]            input block j = columns j·hIn ..+ hIn
///   weight W  [kOut·hOut, kIn·hIn]        W_ij = rows i·hOut ..+ hOut, columns j·hIn ..+ hIn
///   y, dy     [batch, kOut·hOut]          output block i = columns i·hOut ..+ hOut
/// </code>
/// All products run on the packed GEMM engine with the reduction given as K-segments: the live blocks of
/// one output block are one list of segments, accumulated in registers inside a single microkernel call
/// (the gate is folded into the packed copy of W), and only the input blocks some live gate reads are packed.
/// With every gate open this is exactly the dense GEMM of the same shape. Threads split rows only, so the
/// results are bit-identical for any <c>maxThreads</c>.
/// </remarks>
public static class RoutedMatmul
{
    /// <summary>Batches smaller than this (serving one row at a time) skip packing: see <see cref="Gemv"/>.</summary>
    internal const int SmallBatch = 4;

    /// <summary>Per-thread lists describing the live blocks, grown when needed and then reused: no allocation in steady state.</summary>
    private sealed class Scratch
    {
        public KSegment[] Segments = [];
        public ColumnGroup[] Groups = [];
        public bool[] LiveTiles = [];
        public int[] Columns = [];
        public float[] Gradient = [];
        public readonly GateGradientJob Epilogue = new();
    }

    [ThreadStatic] private static Scratch? t_scratch;

    /// <summary>
    /// Computes <c>y[:, block i] = beta·y[:, block i] + Σ_{j: z_ij ≠ 0} z_ij · x[:, block j] · W_ijᵀ</c> for every output block i.
    /// </summary>
    /// <param name="batch">Rows of x and y.</param>
    /// <param name="kIn">Number of input blocks.</param>
    /// <param name="hIn">Width of one input block.</param>
    /// <param name="kOut">Number of output blocks.</param>
    /// <param name="hOut">Width of one output block.</param>
    /// <param name="gates">z, [kOut, kIn].</param>
    /// <param name="x">[batch, kIn·hIn].</param>
    /// <param name="weight">W, [kOut·hOut, kIn·hIn].</param>
    /// <param name="beta">Scale of y's previous contents; 0 overwrites y (NaNs in y are not propagated). An output block with no live gate becomes beta·y.</param>
    /// <param name="y">[batch, kOut·hOut], written.</param>
    /// <param name="maxThreads">Most threads to use: ≤ 0 means <see cref="Environment.ProcessorCount"/>, 1 means the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or <paramref name="y"/> overlaps <paramref name="gates"/>, <paramref name="x"/> or <paramref name="weight"/>. Nothing is written when any argument is invalid.</exception>
    public static unsafe void Forward(int batch, int kIn, int hIn, int kOut, int hOut, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float beta, Span<float> y, int maxThreads = 0)
    {
        CheckShapes(batch, kIn, hIn, kOut, hOut, gates, x, weight);
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        MatrixArguments.CheckDense(y.Length, nameof(y), batch, outWidth, "the output");
        if (batch == 0 || outWidth == 0)
        {
            return;
        }

        ReadOnlySpan<float> output = y[..(batch * outWidth)];
        SpanOverlap.ThrowIfOverlapping(output, nameof(y), gates, nameof(gates));
        SpanOverlap.ThrowIfOverlapping(output, nameof(y), x, nameof(x));
        SpanOverlap.ThrowIfOverlapping(output, nameof(y), weight, nameof(weight));

        // y = x·Wᵀ: op(A) = x [batch × kIn·hIn], op(B) = Wᵀ (W stored [kOut·hOut × kIn·hIn]).
        Scratch scratch = t_scratch ??= new Scratch();
        KSegment[] segments = ScratchArray.Grow(ref scratch.Segments, (long)kOut * kIn);
        ColumnGroup[] groups = ScratchArray.Grow(ref scratch.Groups, kOut);
        int count = ListLiveBlocks(kIn, hIn, kOut, hOut, gates, groups, segments);
        int ld = Math.Max(inWidth, 1);
        fixed (float* px = x, pw = weight, py = y)
        {
            if (batch < SmallBatch)
            {
                // A few rows (serving): every weight is used once or twice, so packing would only copy it.
                if (beta != 0f && beta != 1f) TensorPrimitives.Multiply(y, beta, y);
                Gemv.Run(batch, px, ld, pw, ld, groups.AsSpan(0, kOut), segments.AsSpan(0, count), py, outWidth, accumulate: beta != 0f, maxThreads);
                return;
            }

            PackedGemm.Run(false, true, batch, px, ld, pw, ld, 1f, beta, py, outWidth,
                groups.AsSpan(0, kOut), segments.AsSpan(0, count), rowBlockHeight: 0, liveTiles: default, maxThreads);
        }
    }

    /// <summary>
    /// Describes the forward product y = x·Wᵀ of a gate grid for the kernels: one column group per output block i
    /// (its hOut rows of W) whose K-segments are the live input blocks j, scaled by z_ij. An output block with no
    /// live gate gets a group without segments. Returns the number of segments written.
    /// </summary>
    internal static int ListLiveBlocks(int kIn, int hIn, int kOut, int hOut, ReadOnlySpan<float> gates, Span<ColumnGroup> groups, Span<KSegment> segments)
    {
        int count = 0;
        for (int i = 0; i < kOut; i++)
        {
            int start = count;
            for (int j = 0; j < kIn && hIn > 0; j++)
            {
                float z = gates[i * kIn + j];
                if (z != 0f)
                {
                    segments[count++] = new KSegment(j * hIn, j * hIn, hIn, z);
                }
            }

            groups[i] = new ColumnGroup(i * hOut, hOut, start, count - start);
        }

        return count;
    }

    /// <summary>
    /// Accumulates the gradients of <see cref="Forward"/> for the upstream gradient <paramref name="dy"/>:
    /// <code>
    ///   dx[:, block j]  += Σ_{i: z_ij ≠ 0} z_ij · dy[:, block i] · W_ij
    ///   G_ij             = dy[:, block i]ᵀ · x[:, block j]          (hOut×hIn, computed once for both of:)
    ///   dWeight_ij      += z_ij · G_ij
    ///   dGates[i, j]    += ⟨W_ij, G_ij⟩                               (Frobenius inner product)
    /// </code>
    /// Blocks with z_ij == 0 are skipped entirely: no flops, and their dWeight block and dGates entry are not touched.
    /// </summary>
    /// <param name="batch">Rows of x and dy.</param>
    /// <param name="kIn">Number of input blocks.</param>
    /// <param name="hIn">Width of one input block.</param>
    /// <param name="kOut">Number of output blocks.</param>
    /// <param name="hOut">Width of one output block.</param>
    /// <param name="gates">z, [kOut, kIn].</param>
    /// <param name="x">The forward input, [batch, kIn·hIn].</param>
    /// <param name="weight">W, [kOut·hOut, kIn·hIn].</param>
    /// <param name="dy">Gradient of the loss with respect to y, [batch, kOut·hOut].</param>
    /// <param name="dx">[batch, kIn·hIn], accumulated into; empty when not needed.</param>
    /// <param name="dWeight">[kOut·hOut, kIn·hIn], accumulated into; empty when not needed.</param>
    /// <param name="dGates">[kOut, kIn], accumulated into; empty when not needed.</param>
    /// <param name="maxThreads">Most threads to use: ≤ 0 means <see cref="Environment.ProcessorCount"/>, 1 means the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs (a gradient span may also be empty), or a gradient span overlaps an input or another gradient span. Nothing is written when any argument is invalid.</exception>
    public static unsafe void Backward(int batch, int kIn, int hIn, int kOut, int hOut, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dGates, int maxThreads = 0)
    {
        CheckShapes(batch, kIn, hIn, kOut, hOut, gates, x, weight);
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        MatrixArguments.CheckDense(dy.Length, nameof(dy), batch, outWidth, "the output gradient");
        if (!dx.IsEmpty)
        {
            MatrixArguments.CheckDense(dx.Length, nameof(dx), batch, inWidth, "the input gradient");
        }

        if (!dWeight.IsEmpty)
        {
            MatrixArguments.CheckDense(dWeight.Length, nameof(dWeight), outWidth, inWidth, "the weight gradient");
        }

        if (!dGates.IsEmpty)
        {
            MatrixArguments.CheckDense(dGates.Length, nameof(dGates), kOut, kIn, "the gate gradient");
        }

        if (batch == 0 || inWidth == 0 || outWidth == 0)
        {
            return; // every product is empty (G_ij = 0 for batch 0, so the gradients do not change)
        }

        CheckGradientOverlap(dx, nameof(dx), gates, x, weight, dy);
        CheckGradientOverlap(dWeight, nameof(dWeight), gates, x, weight, dy);
        CheckGradientOverlap(dGates, nameof(dGates), gates, x, weight, dy);
        SpanOverlap.ThrowIfOverlapping(dx, nameof(dx), dWeight, nameof(dWeight));
        SpanOverlap.ThrowIfOverlapping(dx, nameof(dx), dGates, nameof(dGates));
        SpanOverlap.ThrowIfOverlapping(dWeight, nameof(dWeight), dGates, nameof(dGates));

        Scratch scratch = t_scratch ??= new Scratch();
        if (!dx.IsEmpty)
        {
            InputGradient(scratch, batch, kIn, hIn, kOut, hOut, gates, weight, dy, dx, maxThreads);
        }

        if (!dWeight.IsEmpty || !dGates.IsEmpty)
        {
            WeightAndGateGradients(scratch, batch, kIn, hIn, kOut, hOut, gates, x, weight, dy, dWeight, dGates, maxThreads);
        }
    }

    /// <summary><c>dx[:, block j] += Σ_{i: z_ij ≠ 0} z_ij · dy[:, block i] · W_ij</c>.</summary>
    private static unsafe void InputGradient(Scratch scratch, int batch, int kIn, int hIn, int kOut, int hOut,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dx, int maxThreads)
    {
        // dx += dy·W: op(A) = dy [batch × kOut·hOut], op(B) = W [kOut·hOut × kIn·hIn].
        // One column group per input block j that some live gate reads; its segments are the live i.
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        KSegment[] segments = ScratchArray.Grow(ref scratch.Segments, (long)kOut * kIn);
        ColumnGroup[] groups = ScratchArray.Grow(ref scratch.Groups, kIn);
        int groupCount = 0, count = 0;
        for (int j = 0; j < kIn; j++)
        {
            int start = count;
            for (int i = 0; i < kOut; i++)
            {
                float z = gates[i * kIn + j];
                if (z != 0f)
                {
                    segments[count++] = new KSegment(i * hOut, i * hOut, hOut, z);
                }
            }

            if (count > start)
            {
                groups[groupCount++] = new ColumnGroup(j * hIn, hIn, start, count - start);
            }
        }

        fixed (float* pw = weight, pdy = dy, pdx = dx)
        {
            PackedGemm.Run(false, false, batch, pdy, outWidth, pw, inWidth, 1f, 1f, pdx, inWidth,
                groups.AsSpan(0, groupCount), segments.AsSpan(0, count), rowBlockHeight: 0, liveTiles: default, maxThreads);
        }
    }

    /// <summary>
    /// <c>G_ij = dy[:, block i]ᵀ · x[:, block j]</c> on the live blocks, then <c>dWeight_ij += z_ij·G_ij</c> and
    /// <c>dGates[i, j] += ⟨W_ij, G_ij⟩</c> (either may be empty).
    /// </summary>
    private static unsafe void WeightAndGateGradients(Scratch scratch, int batch, int kIn, int hIn, int kOut, int hOut,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dWeight, Span<float> dGates, int maxThreads)
    {
        // G = dyᵀ·x on the live tiles only: op(A) = dyᵀ [kOut·hOut × batch], op(B) = x [batch × kIn·hIn], the
        // reduction is the batch. Row block i of G is output block i; column group g is input block columns[g]
        // (only the input blocks some live gate reads, so only those columns of x are packed).
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        ColumnGroup[] groups = ScratchArray.Grow(ref scratch.Groups, kIn);
        int[] columns = ScratchArray.Grow(ref scratch.Columns, kIn);
        int groupCount = 0;
        for (int j = 0; j < kIn; j++)
        {
            bool any = false;
            for (int i = 0; i < kOut; i++)
            {
                any |= gates[i * kIn + j] != 0f;
            }

            if (any)
            {
                columns[groupCount] = j;
                groups[groupCount++] = new ColumnGroup(j * hIn, hIn, 0, 1);
            }
        }

        bool[] live = ScratchArray.Grow(ref scratch.LiveTiles, (long)kOut * groupCount);
        for (int i = 0; i < kOut; i++)
        {
            for (int g = 0; g < groupCount; g++)
            {
                live[i * groupCount + g] = gates[i * kIn + columns[g]] != 0f;
            }
        }

        // The engine needs G's storage only where a tile is live; it is scratch, pinned so that the epilogue's
        // worker threads can read it through a pointer.
        float[] gradient = ScratchArray.Grow(ref scratch.Gradient, (long)outWidth * inWidth, pinned: true);
        ReadOnlySpan<KSegment> wholeBatch = [new KSegment(0, 0, batch, 1f)];
        fixed (float* px = x, pw = weight, pdy = dy, pg = gradient, pz = gates, pdw = dWeight, pdg = dGates)
        {
            PackedGemm.Run(true, false, outWidth, pdy, outWidth, px, inWidth, 1f, 0f, pg, inWidth,
                groups.AsSpan(0, groupCount), wholeBatch, rowBlockHeight: hOut, liveTiles: live.AsSpan(0, kOut * groupCount), maxThreads);

            // Each live G_ij is read once for both of its uses, in parallel over output blocks i
            // (each dGates entry is one thread's sum in a fixed order: deterministic).
            GateGradientJob epilogue = scratch.Epilogue;
            epilogue.Set(kIn, hIn, hOut, pz, pw, pg, dWeight.IsEmpty ? null : pdw, dGates.IsEmpty ? null : pdg);
            epilogue.Run(kOut, (long)outWidth * inWidth >= 1 << 16 ? KernelThreads.Resolve(maxThreads) : 1);
        }
    }

    /// <summary>
    /// For one output block i (one item): for every live j,
    /// <c>dWeight_ij += z_ij·G_ij</c> and <c>dGates[i, j] += ⟨W_ij, G_ij⟩</c> (accumulated in double).
    /// G, W and dWeight share the layout [kOut·hOut, kIn·hIn]; a null dWeight or dGates is not needed.
    /// </summary>
    private sealed unsafe class GateGradientJob : ParallelJob
    {
        private int _kIn, _hIn, _hOut;
        private float* _gates, _weight, _gradient, _dWeight, _dGates;

        public void Set(int kIn, int hIn, int hOut, float* gates, float* weight, float* gradient, float* dWeight, float* dGates)
        {
            (_kIn, _hIn, _hOut) = (kIn, hIn, hOut);
            _gates = gates;
            _weight = weight;
            _gradient = gradient;
            _dWeight = dWeight;
            _dGates = dGates;
        }

        protected override void Execute(int i)
        {
            int inWidth = _kIn * _hIn;
            for (int j = 0; j < _kIn; j++)
            {
                float z = _gates[i * _kIn + j];
                if (z == 0f)
                {
                    continue;
                }

                double inner = 0;
                for (int r = 0; r < _hOut; r++)
                {
                    long at = (long)(i * _hOut + r) * inWidth + j * _hIn;
                    ReadOnlySpan<float> gRow = new(_gradient + at, _hIn);
                    if (_dGates != null)
                    {
                        inner += TensorPrimitives.Dot(new ReadOnlySpan<float>(_weight + at, _hIn), gRow);
                    }

                    if (_dWeight != null)
                    {
                        Span<float> dwRow = new(_dWeight + at, _hIn);
                        TensorPrimitives.MultiplyAdd(gRow, z, dwRow, dwRow);
                    }
                }

                if (_dGates != null)
                {
                    _dGates[i * _kIn + j] += (float)inner;
                }
            }
        }
    }

    private static void CheckGradientOverlap(ReadOnlySpan<float> gradient, string name,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy)
    {
        SpanOverlap.ThrowIfOverlapping(gradient, name, gates, nameof(gates));
        SpanOverlap.ThrowIfOverlapping(gradient, name, x, nameof(x));
        SpanOverlap.ThrowIfOverlapping(gradient, name, weight, nameof(weight));
        SpanOverlap.ThrowIfOverlapping(gradient, name, dy, nameof(dy));
    }

    private static void CheckShapes(int batch, int kIn, int hIn, int kOut, int hOut,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> x, ReadOnlySpan<float> weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(kIn);
        ArgumentOutOfRangeException.ThrowIfNegative(hIn);
        ArgumentOutOfRangeException.ThrowIfNegative(kOut);
        ArgumentOutOfRangeException.ThrowIfNegative(hOut);
        long inWidth = (long)kIn * hIn, outWidth = (long)kOut * hOut;
        MatrixArguments.CheckDense(gates.Length, nameof(gates), kOut, kIn, "the gate grid");
        MatrixArguments.CheckDense(x.Length, nameof(x), batch, inWidth, "the input");
        MatrixArguments.CheckDense(weight.Length, nameof(weight), outWidth, inWidth, "the weight");
    }
}

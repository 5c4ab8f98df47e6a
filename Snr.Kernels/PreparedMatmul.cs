using System.Runtime.Intrinsics.X86;

namespace Snr.Kernels;

/// <summary>
/// A matrix product <c>y = x·Wᵀ</c> with a weight that never changes (a served model's layer), prepared once and
/// then applied many times, from any number of threads at once.
/// </summary>
/// <remarks>
/// Shapes (row-major, PyTorch Linear layout):
/// <code>
///   weight W  [outputs, inputs]            outputs = kOut·hOut, inputs = kIn·hIn for a routed weight
///   gates  z  [kOut, kIn]                  routed only: z_ij scales block W_ij (rows i·hOut ..+ hOut, columns j·hIn ..+ hIn); z_ij == 0 skips it
///   x         [rows, inputs]               row stride ldx
///   y         [rows, outputs]              row stride ldy
/// </code>
/// At construction the weight is copied into the layouts the product reads: packed for the GEMM engine (calls of
/// four rows or more that are not tiny), and, for the other calls (a request of one to three rows), four rows of W
/// interleaved at a time, the layout one row streams fastest (when every block is a multiple of 8 inputs wide and every output block starts
/// at a multiple of 4 rows, on AVX2/FMA; otherwise those calls read a row-major copy). Zero gates are folded in
/// once: their blocks are neither stored in the packed copy nor read.
///
/// A row of a one-to-three-row call gets the same bits alone, with the other rows and on any number of threads;
/// larger calls agree with it to rounding. Every call's result is independent of <c>maxThreads</c>: threads split
/// output columns or rows, never a reduction. A call allocates nothing once the calling thread has made one
/// product of its size (the kernels keep per-thread scratch).
/// </remarks>
/// <example><code>
/// var layer = new PreparedMatmul(weight, outputs: 128, inputs: 256);   // once
/// layer.Multiply(x, 256, y, 128, rows: 1);                             // per request, on any thread
/// </code></example>
public sealed class PreparedMatmul
{
    /// <summary>Calls of fewer rows than this read the interleaved or row-major weight; packing pays from four rows on.</summary>
    internal const int FewRows = RoutedMatmul.SmallBatch;

    private readonly float[]? _rowMajor;        // W [outputs × inputs], when there is no interleaved copy
    private readonly InterleavedRows? _interleaved;
    private readonly PackedOperand? _packed;    // null when no call takes the packed engine (a single output)
    private readonly ColumnGroup[] _groups;
    private readonly KSegment[] _segments;

    /// <summary>Prepares the dense product <c>y[r, c] = Σ_k x[r, k]·W[c, k]</c>.</summary>
    /// <param name="weight">W, [outputs, inputs] row-major; copied, so later changes to it do not change the product.</param>
    /// <param name="outputs">Rows of W, columns of y.</param>
    /// <param name="inputs">Columns of W and x.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputs"/> or <paramref name="inputs"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="weight"/> does not have outputs × inputs elements.</exception>
    public PreparedMatmul(ReadOnlySpan<float> weight, int outputs, int inputs)
        : this(weight, kOut: 1, hOut: NonNegative(outputs, nameof(outputs)), kIn: 1, hIn: NonNegative(inputs, nameof(inputs)), gates: [1f])
    {
    }

    /// <summary>
    /// Prepares the routed product of an SNR-Trans layer under fixed gates:
    /// <c>y[:, block i] = Σ_{j: z_ij ≠ 0} z_ij · x[:, block j]·W_ijᵀ</c>, an output block with no live gate being zero
    /// (as <see cref="RoutedMatmul.Forward"/> with beta = 0 computes it).
    /// </summary>
    /// <param name="weight">W, [kOut·hOut, kIn·hIn] row-major; copied.</param>
    /// <param name="kOut">Number of output blocks.</param>
    /// <param name="hOut">Width of one output block.</param>
    /// <param name="kIn">Number of input blocks.</param>
    /// <param name="hIn">Width of one input block.</param>
    /// <param name="gates">z, [kOut, kIn]; a zero gate skips its block, any other value (even NaN) scales it. Read once, here.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="weight"/> or <paramref name="gates"/> does not have the elements its shape needs, or the weight does not fit one array.</exception>
    public PreparedMatmul(ReadOnlySpan<float> weight, int kOut, int hOut, int kIn, int hIn, ReadOnlySpan<float> gates)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kOut);
        ArgumentOutOfRangeException.ThrowIfNegative(hOut);
        ArgumentOutOfRangeException.ThrowIfNegative(kIn);
        ArgumentOutOfRangeException.ThrowIfNegative(hIn);
        long outputs = (long)kOut * hOut, inputs = (long)kIn * hIn;
        if (outputs * inputs > Array.MaxLength)
            throw new ArgumentException($"A weight of {outputs} × {inputs} does not fit one array.", nameof(weight));
        if (weight.Length != outputs * inputs)
            throw new ArgumentException($"weight has {weight.Length} elements, not {outputs} × {inputs}.", nameof(weight));
        if (gates.Length != (long)kOut * kIn)
            throw new ArgumentException($"gates has {gates.Length} elements, not {kOut} × {kIn}.", nameof(gates));

        (Outputs, Inputs) = ((int)outputs, (int)inputs);
        _groups = new ColumnGroup[kOut];
        var segments = new KSegment[kOut * kIn];
        _segments = segments[..RoutedMatmul.ListLiveBlocks(kIn, hIn, kOut, hOut, gates, _groups, segments)];
        foreach (var g in _groups)
            for (int s = g.SegmentStart; s < g.SegmentStart + g.SegmentCount; s++)
                MultiplyAddsPerRow += (long)g.ColumnCount * _segments[s].Length;

        if (Fma.IsSupported && Inputs > 0 && Inputs % InterleavedRows.Chunk == 0 && InterleavedRows.Fits(_segments) && Array.TrueForAll(_groups, g => g.ColumnStart % 4 == 0))
            _interleaved = new InterleavedRows(weight, Outputs, Inputs);
        else
            _rowMajor = weight.ToArray();
        if (Outputs > 1)
            _packed = Pack(weight, Math.Max(Inputs, 1), _groups, _segments);
    }

    /// <summary>Columns of y that a product writes: the rows of W.</summary>
    public int Outputs { get; }

    /// <summary>Columns of x that a product reads: the columns of W.</summary>
    public int Inputs { get; }

    /// <summary>Multiply-adds per row of x: those of the live blocks only, for a routed weight.</summary>
    public long MultiplyAddsPerRow { get; }

    /// <summary>Whether calls of fewer than four rows read the interleaved copy of W (otherwise a row-major copy).</summary>
    public bool Interleaved => _interleaved is not null;

    /// <summary>
    /// Computes <c>y[r, c] = Σ_k x[r, k]·W[c, k]</c> (routed: over the live blocks, scaled by their gates) for
    /// r &lt; <paramref name="rows"/> and c &lt; <see cref="Outputs"/>, overwriting those elements of y; the other
    /// elements of y (columns from <see cref="Outputs"/> to <paramref name="ldy"/>) are not touched.
    /// </summary>
    /// <param name="x">[rows, Inputs] with row stride <paramref name="ldx"/>: to read columns from an offset of a wider matrix, pass it sliced from that offset.</param>
    /// <param name="ldx">Row stride of x, at least max(1, Inputs).</param>
    /// <param name="y">[rows, Outputs] with row stride <paramref name="ldy"/>: to write at a column offset of a wider matrix, pass it sliced from that offset. Must not overlap x.</param>
    /// <param name="ldy">Row stride of y, at least max(1, Outputs).</param>
    /// <param name="rows">Rows of x and y.</param>
    /// <param name="maxThreads">Most threads to use: ≤ 0 means all that <see cref="KernelParallelism"/> allows, 1 means the calling thread only.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative, or a row stride is smaller than its row width (or than 1).</exception>
    /// <exception cref="ArgumentException">x or y is shorter than its matrix needs, <c>(rows − 1)·ld + width</c>, or y overlaps x. Nothing is written when any argument is invalid.</exception>
    public unsafe void Multiply(ReadOnlySpan<float> x, int ldx, Span<float> y, int ldy, int rows, int maxThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        MatrixArguments.Check(x.Length, "x", nameof(x), rows, Inputs, ldx, nameof(ldx), checkLength: true);
        MatrixArguments.Check(y.Length, "y", nameof(y), rows, Outputs, ldy, nameof(ldy), checkLength: true);
        if (rows == 0 || Outputs == 0)
            return;
        SpanOverlap.ThrowIfOverlapping(y, nameof(y), x, nameof(x));

        bool packedEngine = rows >= FewRows && _packed is not null && rows * MultiplyAddsPerRow > Sgemm.SmallProduct;
        fixed (float* px = x, py = y, pw = _rowMajor, pi = _interleaved is null ? null : _interleaved.Data)
        {
            // The packed engine reads op(B) from _packed alone; the weight pointer it is given is not read.
            if (packedEngine)
                PackedGemm.Run(false, true, rows, px, ldx, pw, Math.Max(Inputs, 1), 1f, 0f, py, ldy, _groups, _segments,
                    rowBlockHeight: 0, liveTiles: default, maxThreads, _packed);
            else if (_interleaved is not null)
                Gemv.Run(rows, px, ldx, pi, Inputs, _groups, _segments, py, ldy, accumulate: false, maxThreads, interleaved: true);
            else
                Gemv.Run(rows, px, ldx, pw, Math.Max(Inputs, 1), _groups, _segments, py, ldy, accumulate: false, maxThreads);
        }
    }

    private static int NonNegative(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        return value;
    }

    private static unsafe PackedOperand Pack(ReadOnlySpan<float> weight, int ldw, ColumnGroup[] groups, KSegment[] segments)
    {
        fixed (float* w = weight)
            return PackedGemm.PackB(transB: true, w, ldw, groups, segments);
    }
}

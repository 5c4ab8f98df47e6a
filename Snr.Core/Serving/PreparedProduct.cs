using System.Runtime.Intrinsics.X86;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// One matrix product of a compiled <see cref="Predictor"/> with its weight prepared once, since a served
/// model's weights and gates never change: the live blocks of a routed node listed, op(W) packed for the
/// GEMM engine (batches of four rows or more), and for fewer rows (a request) W interleaved four rows at a
/// time, the layout one row streams fastest.
/// </summary>
/// <remarks>
/// <code>
///   linear group:  y[:, out] = x[:, in]·Wᵀ                             (bias and activation are the predictor's)
///   routed node:   y[:, block i] = Σ_{j: z_ij ≠ 0} z_ij · x[:, block j]·W_ijᵀ, output blocks with no live input zero
/// </code>
/// The matrix-vector kernel runs for fewer than four rows, a single output column or a tiny product (as in
/// <see cref="Sgemm"/>), the packed engine otherwise; a row gets the same bits from the interleaved and the
/// row-major copy, so calls of one to three rows agree exactly. The interleaved copy needs input widths
/// (block widths) that are multiples of 8 and output blocks that are multiples of 4; other shapes read the
/// row-major weight.
/// </remarks>
internal sealed class PreparedProduct
{
    private readonly float[] _weight;          // row-major W [outputs × inputs]
    private readonly int _inputs;
    private readonly InterleavedRows? _interleaved;
    private readonly PackedOperand? _packed;   // null when no call can take the packed engine (one output column)
    private readonly ColumnGroup[] _groups;
    private readonly KSegment[] _segments;
    private readonly int _outOffset, _outputs;
    private readonly long _multiplyAddsPerRow;

    private unsafe PreparedProduct(float[] weight, int outputs, int inputs, ColumnGroup[] groups, KSegment[] segments, int outOffset, bool interleave)
    {
        (_weight, _outputs, _inputs, _groups, _segments, _outOffset) = (weight, outputs, inputs, groups, segments, outOffset);
        foreach (var g in groups)
            for (int s = g.SegmentStart; s < g.SegmentStart + g.SegmentCount; s++) _multiplyAddsPerRow += (long)g.ColumnCount * segments[s].Length;
        if (interleave && inputs > 0 && InterleavedRows.Fits(segments) && Fma.IsSupported)
            _interleaved = new InterleavedRows(weight, outputs, inputs);
        if (outputs > 1)
            fixed (float* w = weight) _packed = PackedGemm.PackB(transB: true, w, Math.Max(inputs, 1), groups, segments);
    }

    /// <summary>The product of one group of a grouped linear node.</summary>
    public static PreparedProduct For(LinearGroup g) =>
        new(g.Weight, g.OutWidth, g.InWidth, [new ColumnGroup(0, g.OutWidth, 0, 1)], [new KSegment(g.InOffset, 0, g.InWidth, 1f)], g.OutOffset, interleave: true);

    /// <summary>The product of a routed node under its serving gates.</summary>
    public static PreparedProduct For(RoutedNode r)
    {
        var groups = new ColumnGroup[r.KOut];
        var segments = new KSegment[r.KOut * r.KIn];
        int count = RoutedMatmul.ListLiveBlocks(r.KIn, r.HIn, r.KOut, r.HOut, r.Gates, groups, segments);
        return new PreparedProduct(r.Weight, r.KOut * r.HOut, r.KIn * r.HIn, groups, segments[..count], outOffset: 0, interleave: r.HOut % 4 == 0);
    }

    /// <summary>Whether calls of fewer than four rows read the interleaved copy.</summary>
    public bool Interleaved => _interleaved is not null;

    /// <summary>Computes the product for <paramref name="rows"/> rows of x (row width <paramref name="xWidth"/>) into y (row width <paramref name="yWidth"/>).</summary>
    /// <exception cref="ArgumentException">x or y is too short for the rows.</exception>
    public unsafe void Run(ReadOnlySpan<float> x, int xWidth, Span<float> y, int yWidth, int rows, int maxThreads)
    {
        if (x.Length < rows * xWidth || y.Length < rows * yWidth)
            throw new ArgumentException($"A product of {rows} rows needs {rows} × {xWidth} inputs and {rows} × {yWidth} outputs (have {x.Length} and {y.Length}).");
        if (rows == 0) return;
        bool fewRows = rows < RoutedMatmul.SmallBatch || _packed is null || rows * _multiplyAddsPerRow <= Sgemm.SmallProduct;
        fixed (float* px = x, py = y, pw = _weight, pi = _interleaved is null ? null : _interleaved.Data)
        {
            if (!fewRows)
                PackedGemm.Run(false, true, rows, px, xWidth, pw, _inputs, 1f, 0f, py + _outOffset, yWidth, _groups, _segments,
                    rowBlockHeight: 0, liveTiles: default, maxThreads, _packed);
            else if (_interleaved is not null && rows < RoutedMatmul.SmallBatch)
                Gemv.Run(rows, px, xWidth, pi, _inputs, _groups, _segments, py + _outOffset, yWidth, accumulate: false, maxThreads, interleaved: true);
            else
                Gemv.Run(rows, px, xWidth, pw, _inputs, _groups, _segments, py + _outOffset, yWidth, accumulate: false, maxThreads);
        }
    }
}

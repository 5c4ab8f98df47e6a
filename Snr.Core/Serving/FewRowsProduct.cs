using System.Runtime.Intrinsics.X86;
using Snr.Kernels;

namespace Snr.Core.Serving;

/// <summary>
/// One matrix product of a compiled <see cref="Predictor"/>, prepared for calls of fewer than
/// <see cref="RoutedMatmul.SmallBatch"/> rows (a served request): the weight copied into the kernels'
/// interleaved layout, which one row streams fastest, and the live blocks of a routed node listed once,
/// since serving gates never change. Gives the same bits as the row-major product it replaces.
/// </summary>
/// <remarks>
/// <code>
///   linear group:  y[:, out] = x[:, in]·Wᵀ                             (bias and activation are the predictor's)
///   routed node:   y[:, block i] = Σ_{j: z_ij ≠ 0} z_ij · x[:, block j]·W_ijᵀ, output blocks with no live input zero
/// </code>
/// The layout needs input widths (block widths for a routed node) that are multiples of 8 and, for a
/// routed node, output blocks that are multiples of 4; other shapes get no plan (<c>null</c>) and run the
/// row-major kernel.
/// </remarks>
internal sealed class FewRowsProduct
{
    private readonly InterleavedRows _weight;
    private readonly ColumnGroup[] _groups;
    private readonly KSegment[] _segments;
    private readonly int _outOffset;

    private FewRowsProduct(InterleavedRows weight, ColumnGroup[] groups, KSegment[] segments, int outOffset)
    {
        (_weight, _groups, _segments, _outOffset) = (weight, groups, segments, outOffset);
    }

    /// <summary>The plan for one group of a grouped linear node, or null if its input width is not a multiple of 8.</summary>
    public static FewRowsProduct? For(LinearGroup g)
    {
        KSegment[] segments = [new KSegment(g.InOffset, 0, g.InWidth, 1f)];
        if (g.InWidth == 0 || !InterleavedRows.Fits(segments) || !Fma.IsSupported) return null;
        return new FewRowsProduct(new InterleavedRows(g.Weight, g.OutWidth, g.InWidth), [new ColumnGroup(0, g.OutWidth, 0, 1)], segments, g.OutOffset);
    }

    /// <summary>The plan for a routed node, or null if its block widths do not fit the layout.</summary>
    public static FewRowsProduct? For(RoutedNode r)
    {
        if (r.HIn == 0 || r.HIn % InterleavedRows.Chunk != 0 || r.HOut % 4 != 0 || !Fma.IsSupported) return null;
        var groups = new ColumnGroup[r.KOut];
        var segments = new KSegment[r.KOut * r.KIn];
        int count = RoutedMatmul.ListLiveBlocks(r.KIn, r.HIn, r.KOut, r.HOut, r.Gates, groups, segments);
        return new FewRowsProduct(new InterleavedRows(r.Weight, r.KOut * r.HOut, r.KIn * r.HIn), groups, segments[..count], outOffset: 0);
    }

    /// <summary>Computes the product for <paramref name="rows"/> rows of x (row width <paramref name="xWidth"/>) into y (row width <paramref name="yWidth"/>).</summary>
    public unsafe void Run(ReadOnlySpan<float> x, int xWidth, Span<float> y, int yWidth, int rows, int maxThreads)
    {
        if (x.Length < rows * xWidth || y.Length < rows * yWidth)
            throw new ArgumentException($"A few-rows product of {rows} rows needs {rows} × {xWidth} inputs and {rows} × {yWidth} outputs (have {x.Length} and {y.Length}).");
        fixed (float* px = x, py = y, pw = _weight.Data)
        {
            Gemv.Run(rows, px, xWidth, pw, _weight.Columns, _groups, _segments, py + _outOffset, yWidth, accumulate: false, maxThreads, interleaved: true);
        }
    }
}

namespace Snr.Kernels;

/// <summary>
/// op(B) of a <see cref="PackedGemm"/> product packed once (<see cref="PackedGemm.PackB"/>) and reused by every
/// later product with the same B, column groups and segments: a served model's weights, which never change.
/// </summary>
/// <remarks>
/// Holds about as many floats as B itself (columns rounded up to strips of 16, dead blocks left out, gate
/// scales applied). Packing a served model's weights on every call cost 320 µs of a 2.25 ms batch of 256
/// rows through the canonical SNR-Trans (14%); packed once, that time is gone. The description it was
/// packed for is kept and compared with every product that uses it, since a mismatch would give wrong
/// numbers rather than an error.
/// </remarks>
internal sealed class PackedOperand
{
    private readonly bool _transB;
    private readonly int _ldb;
    private readonly ColumnGroup[] _groups;
    private readonly KSegment[] _segments;

    internal PackedOperand(float[] buffer, long floats, bool transB, int ldb, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments)
    {
        Buffer = buffer;
        Floats = floats;
        (_transB, _ldb, _groups, _segments) = (transB, ldb, groups.ToArray(), segments.ToArray());
    }

    /// <summary>The packed floats, from the first 64-byte boundary of this pinned array.</summary>
    public float[] Buffer { get; }

    /// <summary>Packed floats.</summary>
    public long Floats { get; }

    /// <summary>Whether it was packed for exactly this B layout, these column groups and these segments.</summary>
    public bool IsFor(bool transB, int ldb, ReadOnlySpan<ColumnGroup> groups, ReadOnlySpan<KSegment> segments) =>
        transB == _transB && ldb == _ldb && groups.SequenceEqual(_groups) && segments.SequenceEqual(_segments);
}

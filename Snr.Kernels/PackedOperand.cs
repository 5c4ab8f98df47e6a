namespace Snr.Kernels;

/// <summary>
/// op(B) of a <see cref="PackedGemm"/> product packed once (<see cref="PackedGemm.PackB"/>) and reused by every
/// later product with the same B, column groups and segments: a served model's weights, which never change.
/// </summary>
/// <remarks>
/// Holds about as many floats as B itself (columns rounded up to strips of 16, dead blocks left out, gate
/// scales applied). Packing a served model's weights on every call cost 320 µs of a 2.25 ms batch of 256
/// rows through the canonical SNR-Trans (14%); packed once, that time is gone.
/// </remarks>
internal sealed class PackedOperand
{
    internal PackedOperand(float[] buffer, long floats, int groups)
    {
        Buffer = buffer;
        Floats = floats;
        Groups = groups;
    }

    /// <summary>The packed floats, from the first 64-byte boundary of this pinned array.</summary>
    public float[] Buffer { get; }

    /// <summary>Packed floats (the plan's size, checked against every product that uses it).</summary>
    public long Floats { get; }

    /// <summary>Column groups it was packed for.</summary>
    public int Groups { get; }
}

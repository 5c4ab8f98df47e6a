namespace Snr.Core.Data;

/// <summary>The SplitMix64 finaliser: a bijection of 64-bit values whose every output bit depends on every input bit.</summary>
internal static class SplitMix64
{
    /// <summary>Spreads the bits of <paramref name="z"/> (for a hash about to be shortened, or a seed derived from several numbers).</summary>
    public static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}

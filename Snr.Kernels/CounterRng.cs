using System.Runtime.CompilerServices;

namespace Snr.Kernels;

/// <summary>
/// A seeded, counter-based random generator: Philox4x32-10 (Salmon et al., SC 2011), the
/// generator of cuRAND and PyTorch's CUDA back end. Value number <c>i</c> of stream
/// <c>s</c> is a pure function of (seed, s, i), so a stream can be filled in any order, in
/// pieces, or by any number of threads and always reads the same. There is no state to
/// advance; callers choose the stream and the index (for example, stream = purpose,
/// index = step · count + element).
/// </summary>
public readonly struct CounterRng
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private readonly uint _key0, _key1;

    /// <summary>Creates the generator for <paramref name="seed"/>.</summary>
    public CounterRng(ulong seed)
    {
        _key0 = (uint)seed;
        _key1 = (uint)(seed >> 32);
    }

    /// <summary>
    /// The raw Philox4x32-10 block for the 128-bit counter (c0, c1, c2, c3): four independent
    /// uniformly distributed 32-bit words.
    /// </summary>
    public (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3)
    {
        uint k0 = _key0, k1 = _key1;
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0, hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>32 random bits: word <paramref name="index"/> of <paramref name="stream"/>.</summary>
    public uint NextBits(ulong stream, ulong index)
    {
        var (a, b, c, d) = BlockAt(stream, index / 4);
        return (index % 4) switch { 0 => a, 1 => b, 2 => c, _ => d };
    }

    /// <summary>A uniform float in the open interval (0, 1): value <paramref name="index"/> of <paramref name="stream"/>.</summary>
    public float Uniform(ulong stream, ulong index) => ToOpenUnit(NextBits(stream, index));

    /// <summary>
    /// destination[i] = low + (high − low) · U(stream, offset + i), with U uniform on (0, 1).
    /// </summary>
    public void FillUniform(Span<float> destination, ulong stream, ulong offset = 0, float low = 0f, float high = 1f)
    {
        float width = high - low;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = low + width * Uniform(stream, offset + (ulong)i);
    }

    /// <summary>
    /// destination[i] = mean + std · N(stream, offset + i) with N standard normal, by the
    /// Box–Muller transform of uniform pairs (2p, 2p + 1): element 2p takes the cosine
    /// branch and 2p + 1 the sine branch of pair p, so each element depends only on its index.
    /// </summary>
    public void FillNormal(Span<float> destination, ulong stream, ulong offset = 0, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = mean + std * Normal(stream, offset + (ulong)i);
    }

    /// <summary>A standard normal value: element <paramref name="index"/> of <paramref name="stream"/>'s normal sequence.</summary>
    public float Normal(ulong stream, ulong index)
    {
        ulong pair = index / 2;
        var (a, b, _, _) = BlockAt(stream, pair);
        double radius = Math.Sqrt(-2.0 * Math.Log(ToOpenUnit(a)));
        double angle = 2.0 * Math.PI * ToOpenUnit(b);
        return (float)(radius * (index % 2 == 0 ? Math.Cos(angle) : Math.Sin(angle)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (uint, uint, uint, uint) BlockAt(ulong stream, ulong block) =>
        Block((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32));

    // The top 23 bits, centred in their interval: (k + 0.5) / 2^23 is exact in float32 and
    // never 0 or 1, so log(u) and log(1 − u) are always finite (24 bits would round to 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ToOpenUnit(uint bits) => ((bits >> 9) + 0.5f) * (1f / 8388608f);
}

namespace Snr.Tests.Kernels;

public class CounterRngTests
{
    // Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0ul, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffffffffffUL, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0x299f31d0a4093822UL, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Philox_matches_the_reference_vectors(uint c0, uint c1, uint c2, uint c3, ulong key, uint r0, uint r1, uint r2, uint r3) =>
        Assert.Equal((r0, r1, r2, r3), new CounterRng(key).Block(c0, c1, c2, c3));

    [Fact]
    public void A_stream_reads_the_same_whole_or_in_pieces_in_any_order()
    {
        var rng = new CounterRng(42);
        var whole = new float[1001];
        rng.FillNormal(whole, stream: 7);
        var pieces = new float[1001];
        rng.FillNormal(pieces.AsSpan(500), stream: 7, offset: 500);
        rng.FillNormal(pieces.AsSpan(0, 500), stream: 7, offset: 0);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Uniform_is_inside_the_open_interval_with_the_right_moments()
    {
        var u = new float[200_000];
        new CounterRng(1).FillUniform(u, stream: 0);
        Assert.All(u, v => Assert.True(v > 0f && v < 1f));
        double mean = u.Average(v => (double)v), variance = u.Average(v => (v - mean) * (v - mean));
        Assert.Equal(0.5, mean, 0.005);      // sd of the mean ≈ 0.0006
        Assert.Equal(1.0 / 12, variance, 0.002);
    }

    [Fact]
    public void Normal_has_the_right_moments_and_streams_differ()
    {
        var n = new float[200_000];
        new CounterRng(3).FillNormal(n, stream: 1, mean: 2f, std: 3f);
        double mean = n.Average(v => (double)v), variance = n.Average(v => (v - mean) * (v - mean));
        Assert.Equal(2.0, mean, 0.03);       // sd of the mean ≈ 0.007
        Assert.Equal(9.0, variance, 0.15);
        var other = new float[8];
        new CounterRng(3).FillNormal(other, stream: 2, mean: 2f, std: 3f);
        Assert.NotEqual(n.Take(8), other);
    }
}

namespace Snr.Tests.Kernels;

[Collection("Kernels")]
public class RoutedMatmulTests
{
    /// <summary>Gate patterns over a kOut×kIn grid.</summary>
    public enum Pattern { AllZero, AllOne, SingleLive, ZeroRows, ZeroColumns, RandomHalf }

    private static float[] Gates(Pattern pattern, int kOut, int kIn, Random rng)
    {
        var z = new float[kOut * kIn];
        for (int i = 0; i < kOut; i++)
        {
            for (int j = 0; j < kIn; j++)
            {
                float sampled = 0.05f + 0.95f * rng.NextSingle();
                z[i * kIn + j] = pattern switch
                {
                    Pattern.AllZero => 0f,
                    Pattern.AllOne => 1f,
                    Pattern.SingleLive => i == kOut - 1 && j == kIn / 2 ? sampled : 0f,
                    Pattern.ZeroRows => i % 2 == 0 ? 0f : sampled,     // output blocks with no live input
                    Pattern.ZeroColumns => j % 2 == 1 ? 0f : sampled,  // input blocks no gate reads
                    _ => rng.Next(2) == 0 ? 0f : sampled,
                };
            }
        }

        return z;
    }

    /// <summary>W with each block multiplied by its gate: the dense weight the routed layer stands for.</summary>
    internal static float[] MaskedWeight(float[] w, float[] z, int kIn, int hIn, int kOut, int hOut)
    {
        int inWidth = kIn * hIn;
        var masked = new float[w.Length];
        for (int r = 0; r < kOut * hOut; r++)
        {
            for (int col = 0; col < inWidth; col++)
            {
                float gate = z[(r / hOut) * kIn + col / hIn];
                masked[r * inWidth + col] = gate == 0f ? 0f : gate * w[r * inWidth + col];
            }
        }

        return masked;
    }

    /// <summary>Sets every element of the dead blocks of W to NaN: a kernel that does any flop with them fails.</summary>
    internal static void PoisonDeadBlocks(float[] w, float[] z, int kIn, int hIn, int kOut, int hOut)
    {
        int inWidth = kIn * hIn;
        for (int r = 0; r < kOut * hOut; r++)
        {
            for (int col = 0; col < inWidth; col++)
            {
                if (z[(r / hOut) * kIn + col / hIn] == 0f)
                {
                    w[r * inWidth + col] = float.NaN;
                }
            }
        }
    }

    /// <summary>
    /// Runs Forward on random x, W and y (beta 0 and 0.5) under gates <paramref name="z"/> and compares it with the
    /// masked dense product; dead blocks of W are NaN. Also used by <see cref="KernelProperties"/>.
    /// </summary>
    internal static void CheckForward(Random rng, float[] z, int batch, int kIn, int hIn, int kOut, int hOut, int threads, string label)
    {
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        float[] x = GemmReference.Random(rng, batch * inWidth);
        float[] w = GemmReference.Random(rng, outWidth * inWidth);
        float[] masked = MaskedWeight(w, z, kIn, hIn, kOut, hOut);
        PoisonDeadBlocks(w, z, kIn, hIn, kOut, hOut);

        foreach (float beta in new[] { 0f, 0.5f })
        {
            float[] y = GemmReference.Random(rng, batch * outWidth);
            float[] expected = (float[])y.Clone();
            GemmReference.Multiply(false, true, batch, outWidth, inWidth, 1f, x, inWidth, masked, inWidth, beta, expected, outWidth);

            RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x, w, beta, y, threads);

            GemmReference.AssertClose(expected, y, 1e-4 * Math.Sqrt(inWidth), $"forward {label} beta={beta}");
        }
    }

    /// <summary>
    /// Runs Backward on random x, W, dy and accumulators under gates <paramref name="z"/> and compares dx, dWeight and
    /// dGates with the masked dense gradients; dead gates must stay untouched. Also used by <see cref="KernelProperties"/>.
    /// </summary>
    internal static void CheckBackward(Random rng, float[] z, int batch, int kIn, int hIn, int kOut, int hOut, int threads, string label)
    {
        int inWidth = kIn * hIn, outWidth = kOut * hOut;
        float[] x = GemmReference.Random(rng, batch * inWidth);
        float[] w = GemmReference.Random(rng, outWidth * inWidth);
        float[] dy = GemmReference.Random(rng, batch * outWidth);
        float[] masked = MaskedWeight(w, z, kIn, hIn, kOut, hOut);
        float[] dx = GemmReference.Random(rng, batch * inWidth);
        float[] dW = GemmReference.Random(rng, outWidth * inWidth);
        float[] dGates = GemmReference.Random(rng, kOut * kIn);

        // dx += dy·(z⊙W);  G = dyᵀ·x;  dW += z⊙G on live blocks;  dGates[i,j] += ⟨W_ij, G_ij⟩ on live blocks.
        float[] dxExpected = (float[])dx.Clone();
        GemmReference.Multiply(false, false, batch, inWidth, outWidth, 1f, dy, outWidth, masked, inWidth, 1f, dxExpected, inWidth);
        var g = new float[outWidth * inWidth];
        GemmReference.Multiply(true, false, outWidth, inWidth, batch, 1f, dy, outWidth, x, inWidth, 0f, g, inWidth);
        float[] dWExpected = (float[])dW.Clone();
        float[] dGatesExpected = (float[])dGates.Clone();
        for (int i = 0; i < kOut; i++)
        {
            for (int j = 0; j < kIn; j++)
            {
                float gate = z[i * kIn + j];
                if (gate == 0f)
                {
                    continue;
                }

                double inner = 0;
                for (int r = i * hOut; r < (i + 1) * hOut; r++)
                {
                    for (int col = j * hIn; col < (j + 1) * hIn; col++)
                    {
                        inner += (double)w[r * inWidth + col] * g[r * inWidth + col];
                        dWExpected[r * inWidth + col] = (float)(dW[r * inWidth + col] + (double)gate * g[r * inWidth + col]);
                    }
                }

                dGatesExpected[i * kIn + j] = (float)(dGates[i * kIn + j] + inner);
            }
        }

        PoisonDeadBlocks(w, z, kIn, hIn, kOut, hOut);
        RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx, dW, dGates, threads);

        GemmReference.AssertClose(dxExpected, dx, 1e-4 * Math.Sqrt(outWidth), $"dx {label}");
        GemmReference.AssertClose(dWExpected, dW, 1e-4 * Math.Sqrt(batch), $"dWeight {label}");
        GemmReference.AssertClose(dGatesExpected, dGates, 1e-4 * Math.Sqrt(batch * hIn * hOut), $"dGates {label}");
        for (int b = 0; b < kOut * kIn; b++)
        {
            if (z[b] == 0f)
            {
                Assert.Equal(dGatesExpected[b], dGates[b]); // dead gates are not touched at all
            }
        }
    }

    public static TheoryData<Pattern, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<Pattern, int, int, int, int, int, int>();
        (int batch, int kIn, int hIn, int kOut, int hOut, int threads)[] shapes =
        [
            (257, 3, 5, 2, 13, 2),   // kIn ≠ kOut, widths not multiples of 8
            (1, 4, 3, 4, 5, 1),      // batch 1 (the unpacked few-rows forward)
            (3, 2, 20, 3, 7, 2),
            (64, 4, 16, 4, 16, 2),
            (257, 2, 13, 5, 3, 1),
            (40, 4, 32, 4, 32, 2),
            (9, 16, 8, 3, 17, 2),
        ];
        foreach (Pattern p in Enum.GetValues<Pattern>())
        {
            foreach (var s in shapes)
            {
                data.Add(p, s.batch, s.kIn, s.hIn, s.kOut, s.hOut, s.threads);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_equals_masked_dense_product(Pattern pattern, int batch, int kIn, int hIn, int kOut, int hOut, int threads)
    {
        var rng = new Random(batch * 31 + kIn * 7 + hOut + (int)pattern);
        float[] z = Gates(pattern, kOut, kIn, rng);
        CheckForward(rng, z, batch, kIn, hIn, kOut, hOut, threads, pattern.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_equals_masked_dense_gradients(Pattern pattern, int batch, int kIn, int hIn, int kOut, int hOut, int threads)
    {
        var rng = new Random(batch * 17 + kIn * 5 + hOut + (int)pattern);
        float[] z = Gates(pattern, kOut, kIn, rng);
        CheckBackward(rng, z, batch, kIn, hIn, kOut, hOut, threads, pattern.ToString());
    }

    [Fact]
    public void Backward_computes_only_the_requested_gradients()
    {
        var rng = new Random(11);
        const int batch = 50, kIn = 3, hIn = 8, kOut = 2, hOut = 16;
        float[] z = Gates(Pattern.RandomHalf, kOut, kIn, rng);
        float[] x = GemmReference.Random(rng, batch * kIn * hIn), w = GemmReference.Random(rng, kOut * hOut * kIn * hIn);
        float[] dy = GemmReference.Random(rng, batch * kOut * hOut);
        float[] dxAll = new float[batch * kIn * hIn], dWAll = new float[w.Length], dGAll = new float[kOut * kIn];
        RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dxAll, dWAll, dGAll);

        float[] dx = new float[dxAll.Length], dW = new float[dWAll.Length], dG = new float[dGAll.Length];
        RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx, [], []);
        RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, [], dW, []);
        RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, [], [], dG);
        Assert.Equal(dxAll, dx);
        Assert.Equal(dWAll, dW);
        Assert.Equal(dGAll, dG);
    }

    [Fact]
    public void One_and_two_threads_give_bit_identical_results()
    {
        var rng = new Random(21);
        const int batch = 300, kIn = 4, hIn = 64, kOut = 4, hOut = 64;
        float[] z = Gates(Pattern.RandomHalf, kOut, kIn, rng);
        float[] x = GemmReference.Random(rng, batch * kIn * hIn), w = GemmReference.Random(rng, kOut * hOut * kIn * hIn);
        float[] dy = GemmReference.Random(rng, batch * kOut * hOut);

        float[][] Run(int threads)
        {
            float[] y = new float[dy.Length], dx = new float[x.Length], dW = new float[w.Length], dG = new float[z.Length];
            RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x, w, 0f, y, threads);
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx, dW, dG, threads);
            return [y, dx, dW, dG];
        }

        float[][] one = Run(1), two = Run(2);
        for (int t = 0; t < one.Length; t++)
        {
            Assert.True(one[t].AsSpan().SequenceEqual(two[t]), $"output {t} differs between 1 and 2 threads");
        }
    }

    [Fact]
    public void All_open_gates_equal_the_dense_Sgemm_bit_for_bit()
    {
        var rng = new Random(8);
        const int batch = 200, kIn = 4, hIn = 32, kOut = 4, hOut = 32;
        float[] z = Gates(Pattern.AllOne, kOut, kIn, rng);
        float[] x = GemmReference.Random(rng, batch * kIn * hIn), w = GemmReference.Random(rng, kOut * hOut * kIn * hIn);
        float[] y = new float[batch * kOut * hOut], dense = new float[y.Length];
        RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x, w, 0f, y);
        Sgemm.Multiply(false, true, batch, kOut * hOut, kIn * hIn, 1f, x, kIn * hIn, w, kIn * hIn, 0f, dense, kOut * hOut);
        Assert.Equal(dense, y);
    }

    [Fact]
    public void Forward_rejects_short_spans_and_writes_nothing()
    {
        const int batch = 3, kIn = 2, hIn = 4, kOut = 2, hOut = 5;
        float[] z = new float[4], x = new float[batch * 8], w = new float[10 * 8], y = Enumerable.Repeat(7f, batch * 10).ToArray();
        var e = Assert.Throws<ArgumentException>(() => RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z.AsSpan(0, 3), x, w, 0f, y));
        Assert.Equal("gates", e.ParamName);
        Assert.Contains("2×2", e.Message);
        e = Assert.Throws<ArgumentException>(() => RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x.AsSpan(1), w, 0f, y));
        Assert.Equal("x", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x, w.AsSpan(1), 0f, y));
        Assert.Equal("weight", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, z, x, w, 0f, y.AsSpan(1)));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("3×10", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutedMatmul.Forward(-1, kIn, hIn, kOut, hOut, z, x, w, 0f, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutedMatmul.Forward(batch, kIn, -4, kOut, hOut, z, x, w, 0f, y));
        Assert.All(y, v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Backward_rejects_short_spans_and_writes_nothing()
    {
        const int batch = 3, kIn = 2, hIn = 4, kOut = 2, hOut = 5;
        float[] z = [1, 1, 1, 1], x = new float[batch * 8], w = new float[10 * 8], dy = new float[batch * 10];
        float[] dx = Enumerable.Repeat(7f, x.Length).ToArray(), dW = Enumerable.Repeat(7f, w.Length).ToArray(), dG = [7f, 7f, 7f, 7f];
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy.AsSpan(1), dx, dW, dG)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx.AsSpan(1), dW, dG)).ParamName);
        Assert.Equal("dWeight", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx, dW.AsSpan(1), dG)).ParamName);
        Assert.Equal("dGates", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x, w, dy, dx, dW, dG.AsSpan(1))).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z, x.AsSpan(1), w, dy, dx, dW, dG)).ParamName);
        Assert.Equal("gates", Assert.Throws<ArgumentException>(() =>
            RoutedMatmul.Backward(batch, kIn, hIn, kOut, hOut, z.AsSpan(1), x, w, dy, dx, dW, dG)).ParamName);
        Assert.All(dx, v => Assert.Equal(7f, v));
        Assert.All(dW, v => Assert.Equal(7f, v));
        Assert.All(dG, v => Assert.Equal(7f, v));
    }


    [Fact]
    public void Outputs_and_gradients_over_inputs_or_each_other_are_refused_before_anything_is_written()
    {
        // kIn = kOut = 2, hIn = hOut = 2, batch 2: gates 4, x 8, weight 16, y/dy 8, dx 8, dWeight 16, dGates 4.
        float[] gates = [1, 1, 1, 1], x = new float[8], weight = new float[16], dy = new float[8];
        var buffer = new float[40];
        Assert.Contains("y overlaps x", Assert.Throws<ArgumentException>("y", () => RoutedMatmul.Forward(2, 2, 2, 2, 2, gates, buffer.AsSpan(0, 8), weight, 0f, buffer.AsSpan(4, 8))).Message);
        Assert.Throws<ArgumentException>("y", () => RoutedMatmul.Forward(2, 2, 2, 2, 2, buffer.AsSpan(0, 4), x, weight, 0f, buffer.AsSpan(2, 8)));
        Assert.Throws<ArgumentException>("y", () => RoutedMatmul.Forward(2, 2, 2, 2, 2, gates, x, buffer.AsSpan(0, 16), 0f, buffer.AsSpan(15, 8)));
        Assert.Contains("dx overlaps dy", Assert.Throws<ArgumentException>("dx", () => RoutedMatmul.Backward(2, 2, 2, 2, 2, gates, x, weight, buffer.AsSpan(0, 8), buffer.AsSpan(7, 8), default, default)).Message);
        Assert.Throws<ArgumentException>("dWeight", () => RoutedMatmul.Backward(2, 2, 2, 2, 2, gates, x, buffer.AsSpan(0, 16), dy, default, buffer.AsSpan(8, 16), default));
        Assert.Throws<ArgumentException>("dGates", () => RoutedMatmul.Backward(2, 2, 2, 2, 2, buffer.AsSpan(0, 4), x, weight, dy, default, default, buffer.AsSpan(0, 4)));
        Assert.Contains("dx overlaps dWeight", Assert.Throws<ArgumentException>("dx", () => RoutedMatmul.Backward(2, 2, 2, 2, 2, gates, x, weight, dy, buffer.AsSpan(0, 8), buffer.AsSpan(4, 16), default)).Message);
        Assert.Throws<ArgumentException>("dWeight", () => RoutedMatmul.Backward(2, 2, 2, 2, 2, gates, x, weight, dy, default, buffer.AsSpan(0, 16), buffer.AsSpan(12, 4)));
        Assert.All(buffer, v => Assert.Equal(0f, v));
    }
}

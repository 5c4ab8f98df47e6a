namespace Snr.Tests.Kernels;

/// <summary>
/// The unpacked few-rows products (<c>Gemv</c>) behind one served row: A·Bᵀ with m &lt; 4 and the routed
/// forward at batch &lt; 4, at sizes large enough to run on two threads, against the references, and the
/// promises that make a served score reproducible: any thread count and any batch composition give the
/// same bits.
/// </summary>
[Collection("Kernels")]
public class FewRowsProductTests
{
    [Theory]
    [InlineData(1, 512, 256, 0f)]    // the canonical level 0 at batch 1
    [InlineData(1, 700, 517, 0.3f)]  // k not a multiple of 8, n not a multiple of 4 or of an item
    [InlineData(3, 133, 1001, 1f)]
    [InlineData(2, 5, 3, 0f)]        // too small to go parallel
    public void A_times_B_transposed_matches_the_reference_on_two_threads(int m, int n, int k, float beta)
    {
        SgemmTests.Check(new Random(m * 100 + n), false, true, m, n, k, alpha: 0.9f, beta, pad: 3, threads: 2);
    }

    [Theory]
    [InlineData(1, 4, 128, 4, 128)] // the canonical routing 1 at batch 1
    [InlineData(3, 3, 67, 5, 45)]   // segment tails, output blocks not multiples of 4
    [InlineData(2, 4, 128, 2, 64)]  // the canonical routing 2
    public void Routed_forward_matches_the_masked_product_on_two_threads(int batch, int kIn, int hIn, int kOut, int hOut)
    {
        var rng = new Random(batch + kIn * hIn);
        var z = new float[kOut * kIn];
        for (int i = 0; i < z.Length; i++) z[i] = i % 3 == 1 ? 0f : 0.1f + rng.NextSingle(); // a third of the gates zero
        RoutedMatmulTests.CheckForward(rng, z, batch, kIn, hIn, kOut, hOut, threads: 2, label: "few rows");
    }

    [Fact]
    public void Routed_forward_rows_do_not_depend_on_threads_or_on_the_other_rows_of_the_batch()
    {
        const int kIn = 4, hIn = 67, kOut = 3, hOut = 130, inWidth = kIn * hIn, outWidth = kOut * hOut;
        var rng = new Random(7);
        float[] z = [0.5f, 0f, 1f, 0.25f, 0f, 0f, 0f, 0f, 0.9f, 0.1f, 0.3f, 0f]; // output block 1 has no live gate
        float[] x = GemmReference.Random(rng, 3 * inWidth), w = GemmReference.Random(rng, outWidth * inWidth);

        var together = new float[3 * outWidth];
        RoutedMatmul.Forward(3, kIn, hIn, kOut, hOut, z, x, w, 0f, together, maxThreads: 2);
        for (int b = 0; b < 3; b++)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var alone = new float[outWidth];
                RoutedMatmul.Forward(1, kIn, hIn, kOut, hOut, z, x.AsSpan(b * inWidth, inWidth), w, 0f, alone, threads);
                Assert.True(alone.AsSpan().SequenceEqual(together.AsSpan(b * outWidth, outWidth)), $"row {b} alone on {threads} thread(s) differs from the batch of 3");
            }
        }
    }

    [Fact]
    public void A_times_B_transposed_is_bit_identical_on_one_and_two_threads()
    {
        var rng = new Random(3);
        float[] a = GemmReference.Random(rng, 2 * 513), b = GemmReference.Random(rng, 1000 * 513);
        float[] c0 = GemmReference.Random(rng, 2 * 1000);
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone();

        Sgemm.Multiply(false, true, 2, 1000, 513, 0.7f, a, 513, b, 513, 1f, c1, 1000, maxThreads: 1);
        Sgemm.Multiply(false, true, 2, 1000, 513, 0.7f, a, 513, b, 513, 1f, c2, 1000, maxThreads: 2);

        Assert.True(c1.AsSpan().SequenceEqual(c2), "1-thread and 2-thread results differ");
    }
}

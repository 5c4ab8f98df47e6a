using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Snr.Tests.Kernels;

/// <summary>
/// Property-based checks of Sgemm and RoutedMatmul against the naive double-precision references in
/// <see cref="GemmReference"/>, <see cref="SgemmTests"/> and <see cref="RoutedMatmulTests"/>. FsCheck draws the shapes,
/// flags, scalars and gate grids; each case's float data comes from <see cref="System.Random"/> seeded by the case's
/// <c>DataSeed</c>, so a failing case printed by FsCheck is reproducible on its own. The Replay seeds fix the run for CI.
/// </summary>
[Collection("Kernels")]
public class KernelProperties
{
    private const int Cases = 200;

    /// <summary>One Sgemm problem: C (m×n) = alpha·op(A)·op(B) + beta·C with row padding <c>Pad</c> on A, B and C.</summary>
    public sealed record SgemmCase(bool TransA, bool TransB, int M, int N, int K, float Alpha, float Beta, int Pad, int Threads, int DataSeed);

    /// <summary>One routed-matmul problem; <c>Gates</c> is the kOut×kIn grid, row-major.</summary>
    public sealed record RoutedCase(int Batch, int KIn, int HIn, int KOut, int HOut, float[] Gates, int Threads, int DataSeed)
    {
        // Records print arrays as "System.Single[]"; show the grid so a failure names it.
        public override string ToString() =>
            $"RoutedCase {{ Batch = {Batch}, KIn = {KIn}, HIn = {HIn}, KOut = {KOut}, HOut = {HOut}, Threads = {Threads}, " +
            $"DataSeed = {DataSeed}, Gates = [{string.Join(", ", Gates)}] }}";
    }

    /// <summary>Generators, registered through <see cref="PropertyAttribute.Arbitrary"/>.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<SgemmCase> Sgemm()
        {
            Gen<SgemmCase> gen =
                from transA in Gen.Elements(false, true)
                from transB in Gen.Elements(false, true)
                from m in Gen.Choose(1, 80)
                from n in Gen.Choose(1, 80)
                from k in Gen.Choose(1, 80)
                from alpha in Gen.Elements(1f, -1f, 0.5f, -0.75f, 2f)
                from beta in Gen.Elements(0f, 0f, 1f, 0.5f, -1.25f)
                from pad in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 5)))
                from threads in Gen.Elements(1, 2)
                from seed in Gen.Choose(0, int.MaxValue)
                select new SgemmCase(transA, transB, m, n, k, alpha, beta, pad, threads, seed);
            return Arb.From(gen);
        }

        public static Arbitrary<RoutedCase> Routed()
        {
            // A live gate is 1 or a value in [0.05, 1]; a gate is exactly 0 with probability 0.4.
            Gen<float> live = Gen.Frequency((1, Gen.Constant(1f)), (3, Gen.Choose(5, 100).Select(v => v / 100f)));
            Gen<float> gate = Gen.Frequency((2, Gen.Constant(0f)), (3, live));
            Gen<RoutedCase> gen =
                from batch in Gen.Choose(1, 40)
                from kIn in Gen.Choose(1, 5)
                from hIn in Gen.Choose(1, 20)
                from kOut in Gen.Choose(1, 5)
                from hOut in Gen.Choose(1, 20)
                from grid in Gen.Frequency(
                    (1, Gen.Constant(new float[kOut * kIn])),                              // all zero
                    (1, Gen.Constant(Enumerable.Repeat(1f, kOut * kIn).ToArray())),        // all one
                    (8, Gen.ArrayOf(gate, kOut * kIn)))
                from threads in Gen.Elements(1, 2)
                from seed in Gen.Choose(0, int.MaxValue)
                select new RoutedCase(batch, kIn, hIn, kOut, hOut, (float[])grid.Clone(), threads, seed);
            return Arb.From(gen);
        }
    }

    [Property(MaxTest = Cases, Replay = "(7215488310, 2654435761)", Arbitrary = [typeof(Arbitraries)], QuietOnSuccess = true)]
    public void Sgemm_matches_the_naive_double_reference(SgemmCase c) =>
        SgemmTests.Check(new Random(c.DataSeed), c.TransA, c.TransB, c.M, c.N, c.K, c.Alpha, c.Beta, c.Pad, c.Threads);

    [Property(MaxTest = Cases, Replay = "(3141592653, 2718281829)", Arbitrary = [typeof(Arbitraries)], QuietOnSuccess = true)]
    public void RoutedMatmul_forward_matches_the_masked_dense_product(RoutedCase c) =>
        RoutedMatmulTests.CheckForward(new Random(c.DataSeed), c.Gates, c.Batch, c.KIn, c.HIn, c.KOut, c.HOut, c.Threads, c.ToString());

    [Property(MaxTest = Cases, Replay = "(1618033988, 1414213563)", Arbitrary = [typeof(Arbitraries)], QuietOnSuccess = true)]
    public void RoutedMatmul_backward_matches_the_masked_dense_gradients(RoutedCase c) =>
        RoutedMatmulTests.CheckBackward(new Random(c.DataSeed), c.Gates, c.Batch, c.KIn, c.HIn, c.KOut, c.HOut, c.Threads, c.ToString());
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Snr.Kernels;

namespace Snr.Benchmarks;

/// <summary>A short job: the machines are shared, so few iterations, medians reported.</summary>
public sealed class ShortKernelConfig : ManualConfig
{
    public ShortKernelConfig()
    {
        // Few short iterations, so that a suite fits in the quiet stretches of a shared machine; Min shows
        // the iterations that ran uncontended.
        AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100)));
        AddColumn(new GflopsColumn());
        AddColumn(new GflopsColumn(fromMin: true));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min);
    }
}

/// <summary>One W1 product: C[m×n] = op(A)·op(B) with op(A) m×k, op(B) k×n.</summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K) : IFlopCount
{
    public double Flops => 2.0 * M * N * K;
    public override string ToString() => Name;
}

/// <summary>
/// W1 of BENCHMARKS.md: C = A·B, A·Bᵀ, Aᵀ·B at 256³, 512³, 1024³ and the W3 training shapes, on one thread
/// and on all cores. Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*Sgemm*'</c>
/// (or <c>'*SgemmBenchmarks.AllCores*'</c> for one half).
/// </summary>
[Config(typeof(ShortKernelConfig))]
[MemoryDiagnoser]
public class SgemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    public static IEnumerable<GemmShape> Shapes()
    {
        foreach (int s in new[] { 256, 512, 1024 })
        {
            yield return new GemmShape($"A·B {s}³", false, false, s, s, s);
            yield return new GemmShape($"A·Bᵀ {s}³", false, true, s, s, s);
            yield return new GemmShape($"Aᵀ·B {s}³", true, false, s, s, s);
        }

        // W3: (batch×in)·(out×in)ᵀ, the Linear forward products of the canonical SNR-Trans step, named
        // "W3 in→out" (BenchmarkDotNet cuts longer names): (1024×256)·(256×128)ᵀ, (1024×512)·(512×512)ᵀ,
        // (1024×512)·(512×128)ᵀ.
        yield return new GemmShape("W3 256→128", false, true, 1024, 128, 256);
        yield return new GemmShape("W3 512→512", false, true, 1024, 512, 512);
        yield return new GemmShape("W3 512→128", false, true, 1024, 128, 512);
    }

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = Enumerable.Range(0, Shape.M * Shape.K).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        _b = Enumerable.Range(0, Shape.K * Shape.N).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        _c = new float[Shape.M * Shape.N];
    }

    /// <summary>On the calling thread only.</summary>
    [Benchmark]
    public void OneThread() => Run(1);

    /// <summary>On all cores (<see cref="Environment.ProcessorCount"/>).</summary>
    [Benchmark]
    public void AllCores() => Run(0);

    private void Run(int threads)
    {
        GemmShape s = Shape;
        Sgemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f,
            _a, s.TransA ? s.M : s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N, threads);
    }
}

/// <summary>The register-only FMA loop of one invocation: 12 independent chains of Vector256 multiply-adds.</summary>
public sealed record FmaLoop(long Iterations) : IFlopCount
{
    public double Flops => Iterations * 12.0 * 8 * 2;
    public override string ToString() => $"12×Vector256 FMA chains × {Iterations}";
}

/// <summary>
/// The machine's single-core FMA peak, to read the Sgemm GFLOP/s against: 12 independent chains of
/// <see cref="Fma.MultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/>, nothing touching memory.
/// </summary>
[Config(typeof(ShortKernelConfig))]
public class SgemmFmaPeakBenchmark
{
    public static IEnumerable<FmaLoop> Loops() => [new FmaLoop(1_000_000)];

    [ParamsSource(nameof(Loops))]
    public FmaLoop Loop { get; set; } = null!;

    [Benchmark]
    public float FmaPeak() => Chains(Loop.Iterations);

    // Kept apart from any call so that the JIT holds all 12 accumulators in registers (on SysV every
    // vector register is caller-saved, so a call inside the loop's live range would spill them).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long iterations)
    {
        if (!Fma.IsSupported)
        {
            return 0f;
        }

        Vector256<float> x = Vector256.Create(0.999999f), y = Vector256.Create(1e-7f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y);
            a1 = Fma.MultiplyAdd(a1, x, y);
            a2 = Fma.MultiplyAdd(a2, x, y);
            a3 = Fma.MultiplyAdd(a3, x, y);
            a4 = Fma.MultiplyAdd(a4, x, y);
            a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y);
            a7 = Fma.MultiplyAdd(a7, x, y);
            a8 = Fma.MultiplyAdd(a8, x, y);
            a9 = Fma.MultiplyAdd(a9, x, y);
            a10 = Fma.MultiplyAdd(a10, x, y);
            a11 = Fma.MultiplyAdd(a11, x, y);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}

using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Snr.Kernels;

namespace Snr.Benchmarks;

/// <summary>
/// One W2 case: a routing layer of <c>Blocks × Blocks</c> blocks of width <c>Width</c> at batch 1024,
/// either routed with a fraction of exactly-zero gates, or the dense GEMM baseline of the same shape.
/// </summary>
public sealed record RoutedCase(int Blocks, int Width, double ZeroFraction, bool Dense) : IFlopCount
{
    public const int Batch = 1024;

    /// <summary>Zero gates in the grid: round(fraction · Blocks²).</summary>
    public int ZeroGates => Dense ? 0 : (int)Math.Round(ZeroFraction * Blocks * Blocks);

    /// <summary>Useful flops: forward 2·B·h², backward 4·B·h² per live block.</summary>
    public double Flops => 6.0 * Batch * Width * Width * (Blocks * Blocks - ZeroGates);

    public override string ToString() => Dense
        ? $"{Blocks}x{Width} dense GEMM"
        : $"{Blocks}x{Width} zero {ZeroFraction * 100:F0}%";
}

/// <summary>
/// W2 of BENCHMARKS.md: forward + backward (input, weight, gate and bias gradients) of an SNR-Trans routing
/// layer, B = 1024, 4 blocks of 128 and 16 blocks of 32, at zero-gate fractions 0 … 0.9, beside the dense
/// GEMM forward + backward of the same shape, in one run.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*RoutedMatmul*'</c>.
/// </summary>
[Config(typeof(ShortKernelConfig))]
[MemoryDiagnoser]
public class RoutedMatmulBenchmarks
{
    private float[] _gates = [], _x = [], _w = [], _y = [], _dy = [], _dx = [], _dw = [], _dGates = [], _dBias = [];

    public static IEnumerable<RoutedCase> Cases()
    {
        foreach ((int blocks, int width) in new[] { (4, 128), (16, 32) })
        {
            yield return new RoutedCase(blocks, width, 0, Dense: true);
            foreach (double f in new[] { 0, 0.25, 0.5, 0.75, 0.9 })
            {
                yield return new RoutedCase(blocks, width, f, Dense: false);
            }
        }
    }

    [ParamsSource(nameof(Cases))]
    public RoutedCase Case { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2019);
        int k = Case.Blocks, width = k * Case.Width, batch = RoutedCase.Batch;
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        _x = Random(batch * width);
        _w = Random(width * width);
        _dy = Random(batch * width);
        _y = new float[batch * width];
        _dx = new float[batch * width];
        _dw = new float[width * width];
        _dGates = new float[k * k];
        _dBias = new float[width];

        // The zero gates are fixed (log_alpha very negative); the others are samples in (0, 1].
        _gates = Enumerable.Range(0, k * k).Select(_ => 0.05f + 0.95f * rng.NextSingle()).ToArray();
        int[] order = Enumerable.Range(0, k * k).OrderBy(_ => rng.Next()).ToArray();
        for (int z = 0; z < Case.ZeroGates; z++)
        {
            _gates[order[z]] = 0f;
        }
    }

    /// <summary>On the calling thread only.</summary>
    [Benchmark]
    public void OneThread() => ForwardBackward(1);

    /// <summary>On all cores (<see cref="Environment.ProcessorCount"/>).</summary>
    [Benchmark]
    public void AllCores() => ForwardBackward(0);

    private void ForwardBackward(int threads)
    {
        int k = Case.Blocks, h = Case.Width, width = k * h, batch = RoutedCase.Batch;
        if (Case.Dense)
        {
            // y = x·Wᵀ;  dx += dy·W;  dW += dyᵀ·x
            Sgemm.Multiply(false, true, batch, width, width, 1f, _x, width, _w, width, 0f, _y, width, threads);
            Sgemm.Multiply(false, false, batch, width, width, 1f, _dy, width, _w, width, 1f, _dx, width, threads);
            Sgemm.Multiply(true, false, width, width, batch, 1f, _dy, width, _x, width, 1f, _dw, width, threads);
        }
        else
        {
            RoutedMatmul.Forward(batch, k, h, k, h, _gates, _x, _w, 0f, _y, threads);
            RoutedMatmul.Backward(batch, k, h, k, h, _gates, _x, _w, _dy, _dx, _dw, _dGates, threads);
        }

        // Bias gradient: column sums of dy (the same in both).
        for (int b = 0; b < batch; b++)
        {
            TensorPrimitives.Add(_dBias, _dy.AsSpan(b * width, width), _dBias);
        }
    }
}

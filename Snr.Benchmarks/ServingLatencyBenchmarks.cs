using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Snr.Core.Serving;

namespace Snr.Benchmarks;

/// <summary>The suite's job (1 launch, 3 warm-ups, 9 iterations) run in the benchmark process itself: no project to generate and build per run.</summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(9).WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
    }
}

/// <summary>
/// The latency half of W5 (<see cref="ServingBenchmarks"/>): one row per call on one and two kernel threads, run
/// in-process so that repeated A/B runs on a loaded machine take minutes, not a build each. This is where the
/// hand-off of a small product to a kernel worker shows: at batch 1 a parallel product lasts a few microseconds.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*ServingLatency*'</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class ServingLatencyBenchmarks
{
    private Predictor _predictor = null!;
    private float[] _features = [];
    private float[] _outputs = [];

    [Params("dense", "zero_50")]
    public string Gates { get; set; } = "dense";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_, _predictor, _features) = CanonicalModels.Served(Gates, batch: 1, Threads);
        _outputs = new float[2];
        Predict();
    }

    [Benchmark]
    public void Predict() => _predictor.Predict(_features, _outputs);
}

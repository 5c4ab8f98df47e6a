using BenchmarkDotNet.Attributes;
using Snr.Core.Serving;

namespace Snr.Benchmarks;

/// <summary>
/// W5 of BENCHMARKS.md: serving the canonical SNR-Trans (see <see cref="CanonicalModels.SnrTrans"/>) with
/// deterministic gates through a compiled <see cref="Predictor"/> — forward only, no tape — at batch 1
/// (the latency of a request) and batch 256 (throughput), on one thread (<c>MaxThreads = 1</c>, as in a
/// service that runs many requests at once) and on both cores, dense and with 50% and 75% of the routing
/// gates at zero, which the predictor prunes along with the sub-networks no task reaches.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*Serving*'</c>.
/// </summary>
[Config(typeof(TrainingStepConfig))]
[MemoryDiagnoser]
public class ServingBenchmarks
{
    private Predictor _predictor = null!;
    private float[] _features = [];
    private float[] _outputs = [];

    [Params("dense", "zero_50", "zero_75")]
    public string Gates { get; set; } = "dense";

    [Params(1, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_, _predictor, _features) = CanonicalModels.Served(Gates, Batch, Threads);
        _outputs = new float[Batch * 2];
        Console.WriteLine($"// {Gates}: {_predictor.Summary.FlopsPerRow} FLOPs per row, {_predictor.Summary.LiveConnections}/{_predictor.Summary.TotalConnections} live connections, removed: {string.Join(", ", _predictor.Summary.RemovedGroups)}");
        Predict();
    }

    [Benchmark]
    public void Predict() => _predictor.Predict(_features, _outputs);
}

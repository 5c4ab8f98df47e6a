using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Snr.Autograd;
using Snr.Core.Models;
using Snr.Core.Training;
using Snr.Kernels;

namespace Snr.Benchmarks;

/// <summary>A short job for whole training steps (tens of milliseconds each): 3 warm-ups, 9 measured iterations, medians.</summary>
public sealed class TrainingStepConfig : ManualConfig
{
    public TrainingStepConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(9));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
    }
}

/// <summary>
/// W3 and W4 of BENCHMARKS.md: one training step (forward, backward, Adam update, tape reset) at
/// B = 1024, d = 256, two binary tasks, on all cores.
/// <list type="bullet">
/// <item>W3, canonical SNR-Trans: level 0 = 4 × Linear(256→128)+ReLU; routing 4×128 → 4×128, ReLU;
/// routing 4×128 → 2×64, ReLU; towers Linear(64→1); loss = BCE + BCE + 1e-4·L0; Adam(1e-3).
/// <c>snr_trans_dense</c> has no zero gate; <c>snr_trans_50</c> and <c>snr_trans_75</c> fix 50% and 75% of
/// each routing level's gates at zero (in row i the kept inputs are i, i+1, … cyclically, so every output
/// block keeps a live input). The other gates are sampled every step with log_alpha = 5, so they are
/// almost surely non-zero: the step pays for gate sampling and the penalty as real training does.</item>
/// <item>W4, canonical MMoE: 8 experts Linear(256→128)+ReLU → Linear(128→128)+ReLU, a softmax gate
/// Linear(256→8) per task, towers Linear(128→64)+ReLU → Linear(64→1), two BCE losses, Adam(1e-3).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*TrainingStep*'</c>.
/// </summary>
[Config(typeof(TrainingStepConfig))]
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private const int Batch = 1024, Features = CanonicalModels.Features;
    private TrainingStep _step = null!;
    private Tensor _x = null!;
    private Tensor[] _targets = [];

    [Params("snr_trans_dense", "snr_trans_50", "snr_trans_75", "mmoe")]
    public string Workload { get; set; } = "snr_trans_dense";

    [GlobalSetup]
    public void Setup()
    {
        MultiTaskModel model = Workload == "mmoe" ? CanonicalModels.Mmoe() : CanonicalModels.SnrTrans(CanonicalModels.ZeroFraction(Workload));
        float lambda = model is SnrModel ? 1e-4f : 0f;
        _step = new TrainingStep(model, new Adam(model.Parameters(), learningRate: 1e-3f), [1f, 1f], lambda);
        var rng = new CounterRng(7);
        _x = Tensor.Zeros(Batch, Features);
        rng.FillNormal(_x.Data, stream: 1);
        _targets = [Tensor.Zeros(Batch, 1), Tensor.Zeros(Batch, 1)];
        for (int t = 0; t < 2; t++)
            for (int r = 0; r < Batch; r++) _targets[t].Data[r] = rng.Uniform((ulong)(2 + t), (ulong)r) < 0.3f ? 1f : 0f;
        for (int i = 0; i < 3; i++) _step.Run(_x, _targets);   // grow the tape's pools and the gradients once
    }

    [Benchmark]
    public float Step() => _step.Run(_x, _targets);
}

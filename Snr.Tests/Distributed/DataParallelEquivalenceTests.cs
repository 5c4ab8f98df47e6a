using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>Data-parallel training (ranks in one process) against single-process training on the same global batches.</summary>
public sealed class DataParallelEquivalenceTests
{
    [Fact]
    public void OneWorkerIsBitIdenticalToSingleProcessTraining()
    {
        var job = Job("one", Mmoe(), workers: 1);
        Assert.Equal(SingleProcess(job, 6), InProcess(job, 6));
    }

    [Theory]
    [InlineData(2, OptimizerKind.Adam)]
    [InlineData(3, OptimizerKind.Adam)]
    [InlineData(3, OptimizerKind.Sgd)]
    public void NWorkersMatchSingleProcessWithinSummationOrderTolerance(int workers, OptimizerKind optimizer)
    {
        var training = new TrainingConfig { Optimizer = new OptimizerConfig { Kind = optimizer, LearningRate = 0.01f } };
        var job = Job("n", Mmoe(), workers, globalBatch: 31, training: training);
        float difference = MaxAbsDifference(SingleProcess(job, 6), InProcess(job, 6));
        Assert.True(difference <= Tolerance, $"max |Δw| = {difference:G3} after 6 steps");
        Assert.True(difference > 0 || workers == 1, "the parts' sums should differ in the last bits somewhere"); // guards against comparing a run with itself
    }

    [Fact]
    public void SnrModelWithPenaltyAndGateNoiseMatchesSingleProcess()
    {
        var training = new TrainingConfig { Optimizer = new OptimizerConfig { LearningRate = 0.01f }, L0Lambda = 0.05f, MaxGradNorm = 1f };
        var job = Job("snr", SnrTrans(), workers: 3, training: training);
        var single = SingleProcess(job, 5);
        float difference = MaxAbsDifference(single, InProcess(job, 5));
        Assert.True(difference <= Tolerance, $"max |Δw| = {difference:G3}");
        // Not vacuous: the penalty counted once per worker, or the noise out of step, would move the weights far more.
        var noPenalty = SingleProcess(Job("snr0", SnrTrans(), workers: 3, training: training with { L0Lambda = 0 }), 5);
        Assert.True(MaxAbsDifference(single, noPenalty) > 100 * Tolerance);
    }

    [Fact]
    public void AFixedNumberOfWorkersIsBitIdenticalRunToRun()
    {
        var job = Job("repeat", SnrTrans(), workers: 3);
        Assert.Equal(InProcess(job, 4), InProcess(job, 4));
    }

    /// <summary>The stated tolerance: float32 summation order over a few Adam steps of lr 0.01 (see notes/distributed.md).</summary>
    public const float Tolerance = 1e-5f;
}

using Orleans.Hosting;
using Orleans.TestingHost;
using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>Data-parallel training on an in-process Orleans cluster of three silos.</summary>
public sealed class OrleansDataParallelTests
{
    // Silos of a test cluster run in this process and share this catalog (each real process builds its own).
    private static readonly DataParallelJobs Jobs = new();

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddDataParallelTraining(Jobs);
    }

    private static async Task<TestCluster> StartAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<Configurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<float[]> RunAsync(IDataParallelCoordinatorGrain coordinator, long from, long to)
    {
        for (long k = from; k < to; k++)
        {
            var report = await coordinator.RunStep(k).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(k, report.Step);
            Assert.True(float.IsFinite(report.Loss));
        }
        return await coordinator.Weights();
    }

    [Fact]
    public async Task ClusterTrainingEqualsInProcessRanksBitForBitRefusesBadGradientsAndSpreadsRanks()
    {
        await using var cluster = await StartAsync();
        var job = Job("cluster-a", SnrTrans(), workers: 3, training: new() { Optimizer = new() { LearningRate = 0.01f }, L0Lambda = 0.05f });
        Jobs.Add(job);
        Jobs.Add(job with { RunId = "cluster-b" });
        var a = cluster.Client.GetGrain<IDataParallelCoordinatorGrain>("cluster-a");
        var weights = await RunAsync(a, 0, 4);

        // The same ranks in one process, and a second cluster run: the same bits (rank order fixes the sums).
        Assert.Equal(InProcess(job, 4), weights);
        Assert.Equal(weights, await RunAsync(cluster.Client.GetGrain<IDataParallelCoordinatorGrain>("cluster-b"), 0, 4));
        Assert.True(MaxAbsDifference(SingleProcess(job, 4), weights) <= DataParallelEquivalenceTests.Tolerance);

        // Rank r runs on silo r mod 3: all three silos compute.
        Assert.Equal(3, (await a.Members()).Distinct().Count());

        // A gradient for the wrong step, or of the wrong shape, is refused and changes nothing.
        var stale = new GradientMessage { Step = 2, Attempt = 1, Rank = 0, GradientBytes = new byte[4 * weights.Length], HasGradient = new bool[1], TaskLosses = [0f, 0f] };
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => a.SubmitGradient(stale));
        Assert.Contains("step 2", refused.Message);
        Assert.Equal(4, await a.CompletedSteps());
        await Assert.ThrowsAnyAsync<Exception>(() => a.RunStep(7));
        Assert.Equal(weights, await a.Weights());
    }

    [Fact]
    public async Task ASiloStoppedMidRunLosesItsRankToARemainingSiloAndTheRunContinuesFromTheLastCompletedStep()
    {
        await using var cluster = await StartAsync();
        var job = Job("fault", Mmoe(), workers: 3) with { StepTimeout = TimeSpan.FromSeconds(5) };
        Jobs.Add(job);
        var coordinator = cluster.Client.GetGrain<IDataParallelCoordinatorGrain>("fault");
        await RunAsync(coordinator, 0, 3);
        string home = await coordinator.Host();
        var members = await coordinator.Members();
        var victim = cluster.SecondarySilos.First(s => !home.Contains(s.SiloAddress.Endpoint.ToString(), StringComparison.Ordinal));
        int lostRank = Array.FindIndex(members, m => m.Contains(victim.SiloAddress.Endpoint.ToString(), StringComparison.Ordinal));
        Assert.True(lostRank >= 0, $"no rank on {victim.SiloAddress}: {string.Join(", ", members)}");

        await cluster.StopSiloAsync(victim);
        var weights = await RunAsync(coordinator, 3, 6);

        // Never a mixed model: the weights are exactly those of an uninterrupted run.
        Assert.Equal(InProcess(job, 6), weights);
        var after = await coordinator.Members();
        Assert.DoesNotContain(after, m => m.Contains(victim.SiloAddress.Endpoint.ToString(), StringComparison.Ordinal));
    }
}

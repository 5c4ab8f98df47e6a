using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
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

        // Ranks streaming their shards of a file from disk: the same bits as the same ranks in one process.
        using (var file = new StreamingShardFile())
        {
            var streaming = file.Job("cluster-stream", SnrTrans(), workers: 3, globalBatch: 31);
            Jobs.Add(streaming);
            Assert.Equal(InProcess(streaming, 4), await RunAsync(cluster.Client.GetGrain<IDataParallelCoordinatorGrain>("cluster-stream"), 0, 4));
        }

        // Rank r runs on silo r mod 3: all three silos compute.
        Assert.Equal(3, (await a.Members()).Distinct().Count());

        // A gradient for the wrong step, or of the wrong shape, is refused and changes nothing.
        var stale = new GradientMessage { Step = 2, Attempt = 1, Rank = 0, GradientBytes = new byte[4 * weights.Length], HasGradient = new bool[1], TaskLosses = [0f, 0f] };
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => a.SubmitGradient(stale));
        Assert.Contains("step 2", refused.Message);
        Assert.Equal(4, await a.CompletedSteps());
        Assert.Equal(4, (await Assert.ThrowsAsync<StepOutOfOrderException>(() => a.RunStep(7))).NextStep);
        Assert.Contains("no checkpoint folder", (await Assert.ThrowsAsync<InvalidOperationException>(() => a.SaveCheckpoint())).Message);
        Assert.Equal(weights, await a.Weights());

        // A coordinator whose checkpoint is corrupt refuses to activate, naming the file: never a silent restart at step 0.
        string folder = Directory.CreateTempSubdirectory("snr-corrupt-state-").FullName;
        try
        {
            var corrupt = job with { RunId = "cluster-corrupt", CheckpointDirectory = folder };
            var ranAhead = new InProcessDataParallel(corrupt);
            ranAhead.Step();
            TrainingCheckpoint.Save(folder, corrupt, ranAhead.Coordinator);
            var bytes = File.ReadAllBytes(TrainingCheckpoint.PathIn(folder));
            bytes[^3] ^= 1;
            File.WriteAllBytes(TrainingCheckpoint.PathIn(folder), bytes);
            Jobs.Add(corrupt);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => new DataParallelRun(cluster.Client, corrupt).NextStepAsync());
            Assert.Contains(TrainingCheckpoint.FileName, error.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheCoordinatorsSiloKilledMidRunResumesFromTheLastCheckpointAndEndsBitIdentical()
    {
        await using var cluster = await StartAsync();
        string folder = Directory.CreateTempSubdirectory("snr-coordinator-lost-").FullName;
        try
        {
            var job = Job("coordinator-lost", SnrTrans(), workers: 2, training: new() { Optimizer = new() { LearningRate = 0.01f }, L0Lambda = 0.05f })
                with { StepTimeout = TimeSpan.FromSeconds(5), CheckpointDirectory = folder, CheckpointEvery = 2 };
            Jobs.Add(job);
            var run = new DataParallelRun(cluster.Client, job);
            // The coordinator starts on a secondary silo (a placement hint on its first call), so the test can lose it.
            var victim = cluster.SecondarySilos[0];
            RequestContext.Set(IPlacementDirector.PlacementHintKey, victim.SiloAddress);
            Assert.Equal(0, await run.NextStepAsync());
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            Assert.Contains(victim.SiloAddress.Endpoint.ToString(), await run.Coordinator.Host(), StringComparison.Ordinal);

            var rewinds = new List<(long From, long To)>();
            var reported = new List<long>();
            long done = await run.RunAsync(7, report =>
            {
                reported.Add(report.Step);
                // After step 2, three steps are done and the last checkpoint holds two: the coordinator's silo is killed (no graceful shutdown).
                if (report.Step == 2 && reported.Count == 3) Task.Run(() => cluster.KillSiloAsync(victim)).GetAwaiter().GetResult();
                return true;
            }, (from, to) => rewinds.Add((from, to)));

            Assert.Equal(7, done);
            Assert.Equal([(3L, 2L)], rewinds);
            Assert.Equal([0L, 1, 2, 2, 3, 4, 5, 6], reported);
            Assert.DoesNotContain(victim.SiloAddress.Endpoint.ToString(), await run.Coordinator.Host(), StringComparison.Ordinal);
            // Never a mixed model: the weights are exactly those of an uninterrupted run.
            Assert.Equal(InProcess(job, 7), await run.Coordinator.Weights());
            // A run stopped between checkpoints (Ctrl-C) saves its state on request.
            Assert.Equal(7, await run.Coordinator.SaveCheckpoint());
            Assert.Equal(7, TrainingCheckpoint.CompletedSteps(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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

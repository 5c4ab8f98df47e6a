using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>The coordinator's training state: saved, restored into a new coordinator, and refused when it is not the run's.</summary>
public sealed class TrainingCheckpointTests() : TempFolderTests("snr-training-state-")
{
    private static TrainingConfig Training(OptimizerKind kind) =>
        new() { Optimizer = new OptimizerConfig { Kind = kind, LearningRate = 0.01f }, L0Lambda = 0.05f, MaxGradNorm = 1f };

    // Runs `steps` steps in a new in-process run that first resumes from the folder's checkpoint, if any.
    private static float[] Continue(DataParallelJob job, int steps, long expectedStart)
    {
        var run = new InProcessDataParallel(job);
        if (TrainingCheckpoint.Exists(job.CheckpointDirectory!)) TrainingCheckpoint.Restore(job.CheckpointDirectory!, job, run.Coordinator);
        Assert.Equal(expectedStart, run.Coordinator.CompletedSteps);
        while (run.Coordinator.CompletedSteps < steps) run.Step();
        return run.Coordinator.Weights();
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    public void ARunResumedFromItsCheckpointEndsBitIdenticalToAnUninterruptedOne(OptimizerKind optimizer)
    {
        // SNR-Trans: gate noise, the routing penalty, clipping, and (Adam) moments with per-parameter step counts.
        var job = Job("resume", SnrTrans(), workers: 3, training: Training(optimizer)) with { CheckpointDirectory = Folder };
        var run = new InProcessDataParallel(job);
        for (int k = 0; k < 4; k++) run.Step();
        TrainingCheckpoint.Save(Folder, job, run.Coordinator);
        for (int k = 4; k < 6; k++) run.Step(); // steps after the checkpoint, lost with the coordinator

        var resumed = Continue(job, 9, expectedStart: 4);
        Assert.Equal(InProcess(job, 9), resumed);
        // Not vacuous: a run that restored the weights but not the optimiser's state ends elsewhere.
        var weightsOnly = new InProcessDataParallel(job);
        var restored = new InProcessDataParallel(job);
        TrainingCheckpoint.Restore(Folder, job, restored.Coordinator);
        ParameterVector.ScatterValues(restored.Coordinator.Weights(), weightsOnly.Coordinator.Optimizer.Parameters);
        weightsOnly.Coordinator.Resume(4, 0);
        while (weightsOnly.Coordinator.CompletedSteps < 9) weightsOnly.Step();
        Assert.NotEqual(resumed, weightsOnly.Coordinator.Weights());
    }

    [Fact]
    public void ACorruptCheckpointIsRefusedAndNothingChanges()
    {
        var job = Job("corrupt", Mmoe(), workers: 2) with { CheckpointDirectory = Folder };
        var run = new InProcessDataParallel(job);
        for (int k = 0; k < 2; k++) run.Step();
        TrainingCheckpoint.Save(Folder, job, run.Coordinator);
        string path = TrainingCheckpoint.PathIn(Folder);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40; // one bit of the last tensor's data
        File.WriteAllBytes(path, bytes);

        var fresh = new InProcessDataParallel(job);
        var initial = fresh.Coordinator.Weights();
        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Restore(Folder, job, fresh.Coordinator));
        Assert.Contains(TrainingCheckpoint.FileName, error.Message);
        Assert.Equal(0, fresh.Coordinator.CompletedSteps);
        Assert.Equal(initial, fresh.Coordinator.Weights());
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefusedNamingTheDifference()
    {
        var job = Job("mine", Mmoe(), workers: 2) with { CheckpointDirectory = Folder, DataIdentity = "census seed 1, 240 rows" };
        var run = new InProcessDataParallel(job);
        run.Step();
        TrainingCheckpoint.Save(Folder, job, run.Coordinator);

        string Refusal(DataParallelJob other)
        {
            var coordinator = new InProcessDataParallel(other).Coordinator;
            var initial = coordinator.Weights();
            var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Restore(Folder, other, coordinator));
            Assert.Equal(initial, coordinator.Weights());
            return e.Message;
        }
        Assert.Contains("2 workers, this run has 3", Refusal(Job("mine", Mmoe(), workers: 3) with { DataIdentity = job.DataIdentity }));
        Assert.Contains("global batch of 30 rows, this run has 40", Refusal(job with { GlobalBatch = 40, Shards = (r, n) => new DatasetShard(DataParallelFixtures.Data(), job.Model, r, n, 40, 3) }));
        Assert.Contains("training settings", Refusal(job with { Training = job.Training with { Optimizer = new OptimizerConfig { LearningRate = 0.02f } } }));
        Assert.Contains("another model", Refusal(job with { Model = Mmoe() with { Seed = 9 } }));
        Assert.Contains("other data", Refusal(job with { DataIdentity = "census seed 2, 240 rows" }));
        // Epochs only say when the run ends: a run may be resumed to train longer.
        var longer = job with { Training = job.Training with { Epochs = 50 } };
        Assert.Equal(1, TrainingCheckpoint.Restore(Folder, longer, new InProcessDataParallel(longer).Coordinator));
    }

    [Theory]
    [InlineData("write")]
    [InlineData("rename")]
    public void AFailedSaveLeavesThePreviousCheckpoint(string stage)
    {
        var job = Job("failed-save", Mmoe(), workers: 2) with { CheckpointDirectory = Folder };
        var run = new InProcessDataParallel(job);
        run.Step();
        TrainingCheckpoint.Save(Folder, job, run.Coordinator);
        run.Step();
        AtomicFile.t_faultInjection = s => { if (s == stage) throw new IOException($"disk failure at {s} (simulated)"); };
        try
        {
            Assert.Throws<IOException>(() => TrainingCheckpoint.Save(Folder, job, run.Coordinator));
        }
        finally
        {
            AtomicFile.t_faultInjection = null;
        }
        Assert.Equal(1, TrainingCheckpoint.CompletedSteps(Folder));
        Assert.Equal([TrainingCheckpoint.FileName], Directory.GetFiles(Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void AnOptimiserRefusesTheStateOfAnotherKindOrShapeAndKeepsItsOwn()
    {
        var model = Snr.Core.Models.ModelFactory.Create(Mmoe());
        var adam = new OptimizerConfig { Kind = OptimizerKind.Adam }.Create(model.Parameters());
        var sgd = new OptimizerConfig { Kind = OptimizerKind.Sgd }.Create(model.Parameters());
        Assert.Contains("Sgd", Assert.Throws<ArgumentException>(() => adam.LoadState(sgd.SaveState())).Message);
        var state = adam.SaveState();
        var shorter = state with { Buffers = [[.. state.Buffers[0].Select((b, i) => i == 1 ? b[..^1] : b)], state.Buffers[1]] };
        Assert.Contains($"'{model.Parameters()[1].Name}'", Assert.Throws<ArgumentException>(() => adam.LoadState(shorter)).Message);
        Assert.Contains("parameters", Assert.Throws<ArgumentException>(() => adam.LoadState(state with { Steps = [1, 2] })).Message);
        Assert.Equal(state.Steps, adam.SaveState().Steps);
    }

    [Fact]
    public void CheckpointsFallEveryKStepsAndAtEpochEnds()
    {
        var job = Job("due", Mmoe(), workers: 1) with { CheckpointDirectory = Folder, CheckpointEvery = 5, StepsPerEpoch = 8 };
        Assert.Equal([5L, 8, 10, 15, 16, 20], Enumerable.Range(1, 20).Select(k => (long)k).Where(job.IsCheckpointDue));
        Assert.False((job with { CheckpointDirectory = null }).IsCheckpointDue(5));
    }
}

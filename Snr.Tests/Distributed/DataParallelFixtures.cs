using Snr.Distributed;
using Snr.Tests.Core;

namespace Snr.Tests.Distributed;

/// <summary>Small jobs and the single-process reference that data-parallel training must reproduce.</summary>
internal static class DataParallelFixtures
{
    public const int Dimension = 8;

    /// <summary>Binary two-task data with row weights and missing labels (so the parts weigh differently per task).</summary>
    public static MultiTaskDataset Data(int rows = 240)
    {
        var data = CoreTestModels.BinaryData(rows, Dimension, seed: 5);
        var click = data.Labels(0).ToArray();
        var buy = data.Labels(1).ToArray();
        var weights = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            if (i % 7 == 3) buy[i] = float.NaN;
            if (i % 11 == 5) click[i] = float.NaN;
            weights[i] = 0.5f + (i % 5) * 0.25f;
        }
        return new MultiTaskDataset(data.Numeric, Dimension, ["click", "buy"], [click, buy]).WithRowWeights(weights);
    }

    public static DataParallelJob Job(string runId, ModelConfig model, int workers, int globalBatch = 30, TrainingConfig? training = null, MultiTaskDataset? data = null)
    {
        data ??= Data();
        return new DataParallelJob
        {
            RunId = runId, Model = model, Workers = workers, GlobalBatch = globalBatch,
            Training = training ?? new TrainingConfig { Optimizer = new OptimizerConfig { LearningRate = 0.01f } },
            Shards = (rank, n) => new DatasetShard(data, model, rank, n, globalBatch, seed: 3),
            StepTimeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>
    /// Single-process training on the same global batches (every rank's part of step k, concatenated in rank
    /// order), built as <see cref="Trainer"/> builds its step; returns the weights after <paramref name="steps"/> steps.
    /// </summary>
    public static float[] SingleProcess(DataParallelJob job, int steps)
    {
        var model = ModelFactory.Create(job.Model);
        var optimizer = job.Training.Optimizer.Create(model.Parameters());
        optimizer.SetLearningRate(Trainer.IsGate, job.Training.GateLearningRate);
        var routing = model is SnrModel snr ? new RoutingRegularizer(snr, job.Training, 1) : null;
        var step = new TrainingStep(model, optimizer, job.Training.TaskWeights(model.Config), routing is null ? job.Training.L0Lambda : 0f,
            job.Training.MaxGradNorm, job.Training.SkipNonFiniteBatches, routing is null ? null : routing.Term);
        var shards = Enumerable.Range(0, job.Workers).Select(r => job.Shards(r, job.Workers)).ToArray();
        var parts = shards.Select(s => new ShardBatch(s.RowsPerStep, job.Model)).ToArray();
        var global = new ShardBatch(job.GlobalBatch, job.Model);
        for (int k = 0; k < steps; k++)
        {
            int at = 0;
            for (int r = 0; r < shards.Length; r++)
            {
                shards[r].Read(k, parts[r]);
                parts[r].Numeric.Data.CopyTo(global.Numeric.Data[(at * Dimension)..]);
                for (int t = 0; t < global.Targets.Length; t++)
                {
                    parts[r].Targets[t].Data.CopyTo(global.Targets[t].Data[at..]);
                    parts[r].Weights[t].Data.CopyTo(global.Weights[t].Data[at..]);
                }
                at += parts[r].Rows;
            }
            step.Run(global.Numeric, global.Categorical, global.Targets, global.Weights);
            routing?.AfterStep();
        }
        var weights = new float[ParameterVector.Length(model.Parameters())];
        ParameterVector.GatherValues(model.Parameters(), weights);
        return weights;
    }

    public static float[] InProcess(DataParallelJob job, int steps)
    {
        var run = new InProcessDataParallel(job);
        for (int k = 0; k < steps; k++) run.Step();
        return run.Coordinator.Weights();
    }

    public static float MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    public static MmoeConfig Mmoe() => CoreTestModels.Mmoe(Dimension, CoreTestModels.Binary);

    public static SnrConfig SnrTrans() => CoreTestModels.SnrTrans(Dimension, CoreTestModels.Binary);
}

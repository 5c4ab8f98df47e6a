using Snr.Autograd;
using Snr.Core.Models;
using Snr.Core.Training;

namespace Snr.Distributed;

/// <summary>
/// One rank's copy of the model and its shard: given the coordinator's weights for a step, it computes the
/// gradient of its part of the global batch, scaled so that the parts' gradients add up to the global batch's.
/// </summary>
public sealed class WorkerReplica
{
    private readonly DataParallelJob _job;
    private readonly ITrainingShard _shard;
    private readonly ShardBatch _batch;
    private readonly float[] _taskLosses, _scales, _weightSums;
    private MultiTaskModel _model;
    private TrainingStep _step;
    private long _readStep = -1;

    /// <summary>Opens rank <paramref name="rank"/>'s shard and builds its replica of the model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rank is outside [0, workers).</exception>
    public WorkerReplica(DataParallelJob job, int rank)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (rank < 0 || rank >= job.Workers) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"must be in [0, {job.Workers})");
        _job = job;
        Rank = rank;
        _shard = job.Shards(rank, job.Workers);
        _batch = new ShardBatch(_shard.RowsPerStep, job.Model);
        int tasks = job.Model.Tasks.Length;
        _taskLosses = new float[tasks];
        _scales = new float[tasks];
        _weightSums = new float[tasks];
        (_model, _step) = Build();
    }

    /// <summary>This replica's rank.</summary>
    public int Rank { get; }

    /// <summary>Per task, the row-weight sum of this rank's part of global step <paramref name="step"/> (what the coordinator totals before the step).</summary>
    public float[] WeightSums(long step)
    {
        Read(step);
        return (float[])_weightSums.Clone();
    }

    /// <summary>Computes this rank's gradient for <paramref name="order"/>, starting from its weights.</summary>
    /// <param name="order">The step, attempt, weights and task totals.</param>
    /// <param name="host">Where this runs (recorded in the message).</param>
    /// <exception cref="ArgumentException">The order's weights do not fit the model, or not one total per task.</exception>
    /// <exception cref="NonFiniteTrainingException">The part's loss or gradient is not finite and the job does not skip such batches.</exception>
    public GradientMessage Compute(StepOrder order, string host)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.TaskWeightTotals.Length != _scales.Length)
            throw new ArgumentException($"{order.TaskWeightTotals.Length} task totals for {_scales.Length} tasks.", nameof(order));
        SyncGateNoise(order.Step);
        var parameters = _step.Optimizer.Parameters;
        ParameterVector.ScatterValues(order.Weights, parameters);
        Read(order.Step);
        for (int t = 0; t < _scales.Length; t++)
            _scales[t] = order.TaskWeightTotals[t] == 0f ? 0f : _weightSums[t] / order.TaskWeightTotals[t];
        // One worker adds the terms that depend on the parameters only (the L0 / routing penalty), so they count once.
        float loss = _step.ComputeGradients(_batch.Numeric, _batch.Categorical, _batch.Targets, _batch.Weights, _taskLosses, _scales, parameterTerms: Rank == 0);
        var gradient = new byte[order.WeightBytes.Length];
        var has = new bool[parameters.Count];
        ParameterVector.GatherGradients(parameters, RawFloats.AsFloats(gradient), has);
        _step.Optimizer.ZeroGrad();
        var shares = new float[_scales.Length];
        for (int t = 0; t < shares.Length; t++) shares[t] = _taskLosses[t] * _scales[t];
        return new GradientMessage
        {
            Step = order.Step, Attempt = order.Attempt, Rank = Rank, GradientBytes = gradient, HasGradient = has,
            Loss = loss, TaskLosses = shares, Rows = _batch.Rows, Host = host,
        };
    }

    private void Read(long step)
    {
        if (step == _readStep) return;
        _shard.Read(step, _batch);
        for (int t = 0; t < _weightSums.Length; t++) _weightSums[t] = _batch.WeightSum(t);
        _readStep = step;
    }

    // An SNR model draws its gate noise from a counter-based stream indexed by the number of training forwards,
    // one per step: a replica must be at the step's index to draw the noise every other rank (and a single
    // process) draws. A replica behind (new, or re-opened after a lost worker) moves on; one ahead (a retried step) starts over.
    private void SyncGateNoise(long step)
    {
        if (_model is not SnrModel snr) return;
        long at = snr.Levels.Count == 0 ? step : snr.Levels[0].Gate.Step;
        if (at > step) (_model, _step) = Build();
        var tape = Tape.Current;
        foreach (var level in ((SnrModel)_model).Levels)
        {
            while (level.Gate.Step < step)
            {
                level.Gate.Gates(training: true);
                tape.Reset();
            }
        }
    }

    private (MultiTaskModel, TrainingStep) Build()
    {
        var model = ModelFactory.Create(_job.Model);
        return (model, _job.CreateStep(model).Step);
    }
}

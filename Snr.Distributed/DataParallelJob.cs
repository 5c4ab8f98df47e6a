using Snr.Core.Models;
using Snr.Core.Training;

namespace Snr.Distributed;

/// <summary>
/// A synchronous data-parallel training run: the model, how to train it, how many workers share each
/// global batch of <see cref="GlobalBatch"/> rows, and where each worker's shard of the data comes from.
/// Every silo that may host a worker or the coordinator knows the job by its <see cref="RunId"/> (see <see cref="DataParallelJobs"/>).
/// </summary>
public sealed record DataParallelJob
{
    /// <summary>Names the run: the key of its coordinator and, with a rank, of its workers.</summary>
    public required string RunId { get; init; }

    /// <summary>The model (its seed gives the initial weights).</summary>
    public required ModelConfig Model { get; init; }

    /// <summary>The optimiser, loss weights, λ, clipping and non-finite handling (epochs, batch size and early stopping are not used).</summary>
    public required TrainingConfig Training { get; init; }

    /// <summary>N, the workers (ranks 0 … N−1); a rank is a shard, not a machine: a lost rank is re-opened on a remaining silo.</summary>
    public required int Workers { get; init; }

    /// <summary>B, the rows of every global step, shared out as evenly as possible over the ranks.</summary>
    public required int GlobalBatch { get; init; }

    /// <summary>Opens shard (rank, workers) of the training data on the silo that hosts that rank.</summary>
    public required Func<int, int, ITrainingShard> Shards { get; init; }

    /// <summary>How long the coordinator waits for all gradients of one attempt before it counts a worker as lost.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the first attempt of step 0 waits for the workers' first answer, in which every rank opens its shard (a
    /// streaming shard reads its part of the file once to count rows, which takes longer than a step on a large file).
    /// </summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The pause before a step is retried after a lost worker, giving membership time to declare its silo dead (so its rank is placed elsewhere).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts at one step before the run stops with an error (never a hang).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// The folder of the run's training state (<see cref="TrainingCheckpoint"/>): the coordinator writes it there and a new
    /// coordinator activation (after its silo was lost, or when a stopped run is started again) resumes from it. Null: no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Steps between two checkpoints (0: only at epoch ends).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Global steps per epoch: a checkpoint is also written at the end of every epoch (0: no epochs known).</summary>
    public long StepsPerEpoch { get; init; }

    /// <summary>Names the training data and its split (source, seed, rows), so that a checkpoint is not resumed on other data.</summary>
    public string DataIdentity { get; init; } = "";

    /// <summary>True when the coordinator writes a checkpoint after <paramref name="completedSteps"/> steps.</summary>
    public bool IsCheckpointDue(long completedSteps) => CheckpointDirectory is not null && completedSteps > 0
        && (CheckpointEvery > 0 && completedSteps % CheckpointEvery == 0 || StepsPerEpoch > 0 && completedSteps % StepsPerEpoch == 0);

    /// <summary>The task weights, λ and clipping checked against the model, and what data parallelism does not support refused.</summary>
    /// <exception cref="ConfigException">The training configuration does not fit the model.</exception>
    /// <exception cref="ArgumentException">Fewer than one worker, a global batch smaller than the workers, a routing budget (not supported across workers yet), or a negative checkpoint interval.</exception>
    public void Validate()
    {
        Training.Validate(Model);
        if (Workers < 1) throw new ArgumentException($"{Workers} workers: at least one is needed.");
        if (GlobalBatch < Workers) throw new ArgumentException($"A global batch of {GlobalBatch} rows cannot be shared by {Workers} workers.");
        if (Training.TargetCost is not null || Training.TargetConnections is not null)
            throw new ArgumentException("A routing budget (target cost or connections) is not supported in data-parallel training yet: its controller's state would have to move with the coordinator.");
        if (MaxAttempts < 1) throw new ArgumentException($"{MaxAttempts} attempts per step: at least one is needed.");
        if (CheckpointEvery < 0) throw new ArgumentException($"A checkpoint every {CheckpointEvery} steps: the interval cannot be negative.");
        if (StepsPerEpoch < 0) throw new ArgumentException($"{StepsPerEpoch} steps per epoch: cannot be negative.");
    }

    /// <summary>
    /// The training step of a model of this job, built as <see cref="Trainer"/> builds it: the optimiser (gates in
    /// their own learning-rate group), the task weights, and for an SNR model its routing term.
    /// </summary>
    internal (TrainingStep Step, RoutingRegularizer? Routing) CreateStep(MultiTaskModel model)
    {
        var optimizer = Training.Optimizer.Create(model.Parameters());
        optimizer.SetLearningRate(Trainer.IsGate, Training.GateLearningRate);
        var routing = model is SnrModel snr ? new RoutingRegularizer(snr, Training, stepsPerEpoch: 1) : null;
        var step = new TrainingStep(model, optimizer, Training.TaskWeights(model.Config),
            routing is null ? Training.L0Lambda : 0f, Training.MaxGradNorm, Training.SkipNonFiniteBatches, routing is null ? null : routing.Term);
        return (step, routing);
    }
}

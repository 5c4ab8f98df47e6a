using Snr.Core.Models;
using Snr.Core.Training;

namespace Snr.Distributed;

/// <summary>
/// The parameter state of a data-parallel run: the model's weights and the optimiser's state, in one place. Each
/// global step it hands out the weights (<see cref="Order"/>), takes the N gradients (<see cref="Accept"/>), sums them
/// in rank order and applies the optimiser once (<see cref="Complete"/>): the only place where weights change.
/// </summary>
public sealed class DataParallelCoordinator
{
    private readonly DataParallelJob _job;
    private readonly TrainingStep _step;
    private readonly RoutingRegularizer? _routing;
    private readonly GradientReducer _reducer;
    private readonly float[] _sum;
    private readonly bool[] _has;
    private int _attempt;

    /// <summary>Builds the model of <paramref name="job"/> with its initial weights and a fresh optimiser.</summary>
    /// <exception cref="ArgumentException">The job is invalid (see <see cref="DataParallelJob.Validate"/>).</exception>
    public DataParallelCoordinator(DataParallelJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.Validate();
        _job = job;
        Model = ModelFactory.Create(job.Model);
        (_step, _routing) = job.CreateStep(Model);
        Length = ParameterVector.Length(_step.Optimizer.Parameters);
        _reducer = new GradientReducer(job.Workers, Length, _step.Optimizer.Parameters.Count);
        _sum = new float[Length];
        _has = new bool[_step.Optimizer.Parameters.Count];
    }

    /// <summary>The model, holding the weights after <see cref="CompletedSteps"/> steps.</summary>
    public MultiTaskModel Model { get; }

    /// <summary>Values in the weight (and gradient) vector.</summary>
    public int Length { get; }

    /// <summary>Global steps completed: the next step to run.</summary>
    public long CompletedSteps { get; private set; }

    /// <summary>Steps skipped as non-finite (with <see cref="TrainingConfig.SkipNonFiniteBatches"/>).</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The optimiser (its parameters are the model's, in the weight vector's order).</summary>
    internal Optimizer Optimizer => _step.Optimizer;

    /// <summary>Continues a run from a checkpoint whose weights and optimiser state are already in place: the step counters.</summary>
    internal void Resume(long completedSteps, long skippedSteps)
    {
        CompletedSteps = completedSteps;
        SkippedSteps = skippedSteps;
        _attempt = 0;
    }

    /// <summary>The current weights as one vector.</summary>
    public float[] Weights()
    {
        var weights = new float[Length];
        ParameterVector.GatherValues(_step.Optimizer.Parameters, weights);
        return weights;
    }

    /// <summary>
    /// Starts a new attempt at step <see cref="CompletedSteps"/>, dropping any gradient of an earlier attempt:
    /// the order every worker computes its part from.
    /// </summary>
    /// <param name="taskWeightTotals">Per task, Σ of the global batch's row weights (the sum of the workers' <see cref="WorkerReplica.WeightSums"/>, in rank order).</param>
    /// <exception cref="ArgumentException">Not one total per task.</exception>
    public StepOrder Order(float[] taskWeightTotals)
    {
        ArgumentNullException.ThrowIfNull(taskWeightTotals);
        if (taskWeightTotals.Length != _job.Model.Tasks.Length)
            throw new ArgumentException($"{taskWeightTotals.Length} task totals for {_job.Model.Tasks.Length} tasks.", nameof(taskWeightTotals));
        _attempt++;
        _reducer.Begin(CompletedSteps, _attempt);
        // Gathered straight into the message's bytes: one copy of the weights per step, not two.
        var weightBytes = new byte[Length * sizeof(float)];
        ParameterVector.GatherValues(_step.Optimizer.Parameters, RawFloats.AsFloats(weightBytes));
        return new StepOrder { Step = CompletedSteps, Attempt = _attempt, WeightBytes = weightBytes, TaskWeightTotals = taskWeightTotals };
    }

    /// <summary>True once every rank's gradient of the current attempt is in.</summary>
    public bool IsComplete => _reducer.IsComplete;

    /// <summary>Takes one worker's gradient for the current attempt.</summary>
    /// <exception cref="GradientRefusedException">For another step or attempt, an unknown rank, a repeat, or the wrong shape: refused, nothing changes.</exception>
    public void Accept(GradientMessage message) => _reducer.Accept(message);

    /// <summary>
    /// Sums the N gradients in rank order, applies clipping and the optimiser once, and moves to the next step.
    /// A step with a non-finite part is skipped (no update) and counted.
    /// </summary>
    /// <param name="attempts">Attempts the step took, for the report (the caller counts those that failed before any weights were sent).</param>
    /// <exception cref="InvalidOperationException">Not every gradient is in.</exception>
    public StepReport Complete(int attempts = 1)
    {
        bool finite = _reducer.Reduce(_sum, _has);
        var parts = _reducer.Parts;
        int tasks = _job.Model.Tasks.Length;
        var taskLosses = new float[tasks];
        float loss = 0;
        var hosts = new string[parts.Count];
        for (int r = 0; r < parts.Count; r++)
        {
            loss += parts[r]!.Loss;
            hosts[r] = parts[r]!.Host;
            for (int t = 0; t < tasks; t++) taskLosses[t] += parts[r]!.TaskLosses[t];
        }
        if (finite)
        {
            ParameterVector.ScatterGradients(_sum, _has, _step.Optimizer.Parameters);
            _step.ApplyGradients();
            _routing?.AfterStep();
        }
        else SkippedSteps++;
        var report = new StepReport
        {
            Step = CompletedSteps, Loss = finite ? loss : float.NaN, TaskLosses = taskLosses, Attempts = Math.Max(attempts, _attempt), Hosts = hosts,
            PayloadBytes = 2L * parts.Count * Length * sizeof(float), // weights out, gradients back
        };
        CompletedSteps++;
        _attempt = 0;
        return report;
    }
}

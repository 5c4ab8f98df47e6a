using Orleans.Concurrency;

namespace Snr.Distributed;

/// <summary>
/// The coordinator of one data-parallel run (keyed by its run id): it holds the weights and the optimiser state,
/// runs each global step across the workers, and is the only place where the weights change.
/// </summary>
public interface IDataParallelCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs global step <paramref name="step"/>: collects the workers' row-weight sums, sends every worker the weights,
    /// waits (at most the job's step timeout) for all N gradients, sums them in rank order and applies the optimiser once.
    /// A lost worker fails the attempt; the step is retried from the same weights (the lost rank re-opened on a remaining
    /// silo), at most the job's attempts, after which the run stops with an error.
    /// </summary>
    /// <exception cref="InvalidOperationException">The step is not the next one, or it failed every attempt.</exception>
    Task<StepReport> RunStep(long step);

    /// <summary>A worker's gradient for the current attempt (interleaved with <see cref="RunStep"/>, which awaits it).</summary>
    /// <exception cref="GradientRefusedException">For another step or attempt, an unknown rank, a repeat, or the wrong shape.</exception>
    [AlwaysInterleave]
    Task SubmitGradient(GradientMessage message);

    /// <summary>Writes the training state after the completed steps now (a run stopped between checkpoints loses no step).</summary>
    /// <returns>The steps the state holds.</returns>
    /// <exception cref="InvalidOperationException">The job has no checkpoint folder.</exception>
    /// <exception cref="IOException">Writing failed; the previous state stays.</exception>
    Task<long> SaveCheckpoint();

    /// <summary>The weights after the completed steps, as one vector in parameter order.</summary>
    Task<float[]> Weights();

    /// <summary>Global steps completed.</summary>
    Task<long> CompletedSteps();

    /// <summary>The silo hosting the coordinator.</summary>
    Task<string> Host();

    /// <summary>Per rank, the silo that computed its last gradient (empty before the first step).</summary>
    Task<string[]> Members();
}

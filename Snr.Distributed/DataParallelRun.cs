namespace Snr.Distributed;

/// <summary>
/// Drives a data-parallel run from its trainer: asks the coordinator grain for one global step after another and,
/// when the coordinator was lost and a new activation resumed from the last checkpoint, goes on from the step it
/// resumed at. Since the data order and the gate noise are functions of the step and the checkpoint holds the
/// optimiser's state, the steps run again give the same weights as the first time: the run ends bit-identical to
/// an uninterrupted one, never with a model mixed from two steps.
/// </summary>
public sealed class DataParallelRun
{
    private readonly IDataParallelCoordinatorGrain _coordinator;
    private readonly DataParallelJob _job;

    /// <summary>Drives <paramref name="job"/> through its coordinator grain, reached through <paramref name="grains"/>.</summary>
    public DataParallelRun(IGrainFactory grains, DataParallelJob job)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(job);
        _job = job;
        _coordinator = grains.GetGrain<IDataParallelCoordinatorGrain>(job.RunId);
    }

    /// <summary>The run's coordinator grain.</summary>
    public IDataParallelCoordinatorGrain Coordinator => _coordinator;

    /// <summary>
    /// The step the run goes on with: 0 for a new run, the checkpoint's step count for a run resumed from its
    /// checkpoint folder (the call activates the coordinator, which loads it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The coordinator could not be reached in the job's attempts.</exception>
    public async Task<long> NextStepAsync(CancellationToken cancellation = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await _coordinator.CompletedSteps();
            }
            catch (Exception e) when (ClusterFaults.IsLost(e))
            {
                if (attempt >= _job.MaxAttempts)
                    throw new InvalidOperationException($"The coordinator of run '{_job.RunId}' could not be reached in {attempt} attempts: {e.Message}", e);
                await Task.Delay(_job.RetryDelay, cancellation);
            }
        }
    }

    /// <summary>
    /// Runs steps from the coordinator's next one until <paramref name="totalSteps"/> are complete or
    /// <paramref name="onStep"/> returns false. A lost coordinator is re-activated by the next call; when it resumed from
    /// a checkpoint behind the step in hand, <paramref name="onRewind"/> is told (from, to) and the steps from there
    /// are run (and reported) again.
    /// </summary>
    /// <param name="totalSteps">The step count at which the run ends.</param>
    /// <param name="onStep">Called after every completed step, in order; false stops the run after it.</param>
    /// <param name="onRewind">Called when the run goes back from the step in hand to the coordinator's resumed step.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The steps completed.</returns>
    /// <exception cref="InvalidOperationException">A step failed every attempt, the coordinator stayed unreachable, or it refused to resume (a corrupt or mismatched checkpoint); the message says which step.</exception>
    public async Task<long> RunAsync(long totalSteps, Func<StepReport, bool> onStep, Action<long, long>? onRewind = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(onStep);
        long next = await NextStepAsync(cancellation);
        int recoveries = 0;
        while (next < totalSteps)
        {
            cancellation.ThrowIfCancellationRequested();
            StepReport report;
            try
            {
                report = await _coordinator.RunStep(next);
            }
            catch (Exception e) when (e is StepOutOfOrderException || ClusterFaults.IsLost(e))
            {
                if (++recoveries > _job.MaxAttempts)
                    throw new InvalidOperationException($"Step {next} failed after {_job.MaxAttempts} recoveries of the coordinator, the last time with: {e.Message}", e);
                long resumed = e is StepOutOfOrderException order ? order.NextStep : await NextStepAsync(cancellation);
                if (resumed < next) onRewind?.Invoke(next, resumed);
                next = resumed;
                continue;
            }
            recoveries = 0;
            next = report.Step + 1;
            if (!onStep(report)) break;
        }
        return next;
    }
}

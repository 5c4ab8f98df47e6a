using Orleans.Placement;
using Microsoft.Extensions.Logging;

namespace Snr.Distributed;

/// <summary>The coordinator of one run (see <see cref="IDataParallelCoordinatorGrain"/>).</summary>
[PreferLocalPlacement]
internal sealed class DataParallelCoordinatorGrain(DataParallelJobs jobs, ILogger<DataParallelCoordinatorGrain> log) : Grain, IDataParallelCoordinatorGrain
{
    private DataParallelJob? _job;
    private DataParallelCoordinator? _coordinator;
    private IDataParallelWorkerGrain[] _workers = [];
    private string[] _members = [];
    private StepReport? _last;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _job = jobs.Get(this.GetPrimaryKeyString());
        _coordinator = new DataParallelCoordinator(_job);
        _workers = new IDataParallelWorkerGrain[_job.Workers];
        for (int r = 0; r < _workers.Length; r++)
            _workers[r] = GrainFactory.GetGrain<IDataParallelWorkerGrain>(IDataParallelWorkerGrain.Key(_job.RunId, r));
        _members = new string[_job.Workers];
        // A new activation, after the coordinator's silo was lost or when a stopped run starts again, goes on from the
        // last checkpoint; a corrupt one, or one of another run, fails the activation with the reason (never a silent restart at 0).
        if (_job.CheckpointDirectory is { } folder && TrainingCheckpoint.Exists(folder))
        {
            long step = TrainingCheckpoint.Restore(folder, _job, _coordinator);
            log.LogWarning("Run {Run}: the coordinator resumed from the checkpoint after step {Step} in {Folder}.", _job.RunId, step, folder);
        }
        return Task.CompletedTask;
    }

    public async Task<StepReport> RunStep(long step)
    {
        var coordinator = _coordinator!;
        if (_last is not null && step == _last.Step) return _last; // a repeated request (its answer was lost)
        if (step != coordinator.CompletedSteps) throw new StepOutOfOrderException(step, coordinator.CompletedSteps);
        Exception? lost = null;
        for (int attempt = 1; attempt <= _job!.MaxAttempts; attempt++)
        {
            try
            {
                // The first call to a rank activates it, which opens its shard: at the start of a run that may take far longer than a step.
                var firstAnswer = step == 0 && attempt == 1 ? _job.OpenTimeout : _job.StepTimeout;
                var sums = await Task.WhenAll(_workers.Select(w => w.WeightSums(step))).WaitAsync(firstAnswer);
                var order = coordinator.Order(InProcessDataParallel.TaskTotals(sums));
                await Task.WhenAll(_workers.Select(w => w.Compute(order))).WaitAsync(_job.StepTimeout);
                if (!coordinator.IsComplete) throw new TimeoutException($"Step {step}: the workers returned without every gradient in.");
                var report = coordinator.Complete(attempt);
                Record(report.Hosts);
                _last = Checkpoint(report);
                return _last;
            }
            catch (Exception e) when (ClusterFaults.IsLost(e))
            {
                lost = e;
                log.LogWarning("Step {Step}, attempt {Attempt}: a worker was lost ({Error}); retrying from the same weights.", step, attempt, e.Message);
                if (attempt < _job.MaxAttempts) await Task.Delay(_job.RetryDelay);
            }
        }
        throw new InvalidOperationException($"Step {step} failed {_job.MaxAttempts} times, the last time with: {lost!.Message} The weights are those after step {step - 1}.", lost);
    }

    public Task SubmitGradient(GradientMessage message)
    {
        _coordinator!.Accept(message);
        return Task.CompletedTask;
    }

    public Task<long> SaveCheckpoint()
    {
        string folder = _job!.CheckpointDirectory ?? throw new InvalidOperationException($"Run '{_job.RunId}' has no checkpoint folder.");
        TrainingCheckpoint.Save(folder, _job, _coordinator!);
        return Task.FromResult(_coordinator!.CompletedSteps);
    }

    public Task<float[]> Weights() => Task.FromResult(_coordinator!.Weights());

    public Task<long> CompletedSteps() => Task.FromResult(_coordinator!.CompletedSteps);

    public Task<string> Host() => Task.FromResult(RuntimeIdentity);

    public Task<string[]> Members() => Task.FromResult((string[])_members.Clone());

    // A failed save leaves the previous checkpoint (the file is replaced atomically) and does not stop the run: it is reported.
    private StepReport Checkpoint(StepReport report)
    {
        if (!_job!.IsCheckpointDue(_coordinator!.CompletedSteps)) return report;
        try
        {
            TrainingCheckpoint.Save(_job.CheckpointDirectory!, _job, _coordinator);
            return report;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogError("Run {Run}: the checkpoint after step {Step} could not be written ({Error}); the previous one stays.", _job.RunId, report.Step, e.Message);
            return report with { CheckpointError = e.Message };
        }
    }

    // Which rank ran where: a rank that moved was re-opened on another silo after its own was lost.
    private void Record(string[] hosts)
    {
        for (int r = 0; r < hosts.Length; r++)
        {
            if (_members[r] is { Length: > 0 } before && before != hosts[r])
                log.LogWarning("Rank {Rank} moved from {Before} to {After}.", r, before, hosts[r]);
            _members[r] = hosts[r];
        }
    }
}

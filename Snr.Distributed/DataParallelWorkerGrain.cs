namespace Snr.Distributed;

/// <summary>The worker of one rank (see <see cref="IDataParallelWorkerGrain"/>).</summary>
[RankPlacement]
internal sealed class DataParallelWorkerGrain(DataParallelJobs jobs) : Grain, IDataParallelWorkerGrain
{
    private WorkerReplica? _replica;
    private string _runId = "";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        int slash = key.LastIndexOf('/');
        _runId = key[..slash];
        _replica = new WorkerReplica(jobs.Get(_runId), int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public Task<float[]> WeightSums(long step) => Task.FromResult(_replica!.WeightSums(step));

    public Task Compute(StepOrder order)
    {
        var message = _replica!.Compute(order, RuntimeIdentity);
        return GrainFactory.GetGrain<IDataParallelCoordinatorGrain>(_runId).SubmitGradient(message);
    }
}

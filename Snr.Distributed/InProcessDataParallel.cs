namespace Snr.Distributed;

/// <summary>
/// Runs a data-parallel job with every rank in this process, one after another: the reference for what the
/// Orleans cluster computes (the same coordinator, replicas and reduction, without the messaging).
/// </summary>
public sealed class InProcessDataParallel
{
    private readonly WorkerReplica[] _replicas;

    /// <summary>Builds the coordinator and one replica per rank.</summary>
    /// <exception cref="ArgumentException">The job is invalid.</exception>
    public InProcessDataParallel(DataParallelJob job)
    {
        Coordinator = new DataParallelCoordinator(job);
        _replicas = new WorkerReplica[job.Workers];
        for (int r = 0; r < _replicas.Length; r++) _replicas[r] = new WorkerReplica(job, r);
    }

    /// <summary>The coordinator (its model holds the current weights).</summary>
    public DataParallelCoordinator Coordinator { get; }

    /// <summary>Runs the next global step.</summary>
    public StepReport Step()
    {
        long step = Coordinator.CompletedSteps;
        var order = Coordinator.Order(TaskTotals(_replicas.Select(r => r.WeightSums(step)).ToArray()));
        foreach (var replica in _replicas) Coordinator.Accept(replica.Compute(order, "local"));
        return Coordinator.Complete();
    }

    /// <summary>Per task, the sum of the ranks' weight sums, in rank order.</summary>
    public static float[] TaskTotals(IReadOnlyList<float[]> perRank)
    {
        ArgumentNullException.ThrowIfNull(perRank);
        var totals = new float[perRank[0].Length];
        foreach (var sums in perRank)
            for (int t = 0; t < totals.Length; t++) totals[t] += sums[t];
        return totals;
    }
}

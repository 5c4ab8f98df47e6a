namespace Snr.Distributed;

/// <summary>
/// One rank of a data-parallel run, keyed "runId/rank": its shard of the data and a replica of the model. It is
/// placed by rank over the live silos (<see cref="RankPlacementAttribute"/>); when its silo is lost, the next call
/// re-opens the same shard on a remaining silo.
/// </summary>
public interface IDataParallelWorkerGrain : IGrainWithStringKey
{
    /// <summary>Per task, the row-weight sum of this rank's part of global step <paramref name="step"/>.</summary>
    Task<float[]> WeightSums(long step);

    /// <summary>Computes this rank's gradient for <paramref name="order"/> and submits it to the coordinator.</summary>
    Task Compute(StepOrder order);

    /// <summary>The key of rank <paramref name="rank"/> of run <paramref name="runId"/>.</summary>
    static string Key(string runId, int rank) => $"{runId}/{rank}";
}

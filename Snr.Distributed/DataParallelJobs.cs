using System.Collections.Concurrent;

namespace Snr.Distributed;

/// <summary>
/// The data-parallel jobs this silo knows, by run id: registered as a singleton on every silo (each process
/// loads the data and builds the job from the same command line), looked up by the coordinator and worker grains.
/// </summary>
public sealed class DataParallelJobs
{
    private readonly ConcurrentDictionary<string, DataParallelJob> _jobs = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="job"/> known to this silo.</summary>
    /// <exception cref="ArgumentException">The job is invalid.</exception>
    public void Add(DataParallelJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.Validate();
        _jobs[job.RunId] = job;
    }

    /// <summary>The job named <paramref name="runId"/>.</summary>
    /// <exception cref="InvalidOperationException">This silo does not know the job (it was started without it).</exception>
    public DataParallelJob Get(string runId) => _jobs.TryGetValue(runId, out var job)
        ? job
        : throw new InvalidOperationException($"This silo knows no data-parallel run '{runId}'; every silo must be started with the run's data and model.");
}

namespace Snr.Kernels;

/// <summary>
/// A unit of parallel work: <see cref="Execute"/> is called once for every item index in
/// <c>[0, itemCount)</c>, on the calling thread and on up to <c>threads − 1</c> kernel worker threads.
/// </summary>
/// <remarks>
/// Items are handed out dynamically, so which thread runs an item varies from run to run. Kernels keep
/// their results deterministic by making each item's arithmetic independent of who runs it (GEMM items
/// are row blocks of C; the reduction dimension is never split).
/// </remarks>
internal abstract class ParallelJob
{
    private int _next;
    private int _itemCount;
    private int _helpersLeft;
    private Exception? _failure;
    private readonly ManualResetEventSlim _helpersDone = new(false);

    /// <summary>Runs every item of the job, on up to <paramref name="threads"/> threads, and returns when all are done.</summary>
    public void Run(int itemCount, int threads)
    {
        _next = 0;
        _itemCount = itemCount;
        _failure = null;
        KernelThreads.Run(this, Math.Min(threads, itemCount));
        if (_failure is not null)
        {
            throw new AggregateException("A kernel worker failed.", _failure);
        }
    }

    /// <summary>Does the work of one item.</summary>
    protected abstract void Execute(int item);

    internal void PrepareHelpers(int helpers)
    {
        _helpersLeft = helpers;
        _helpersDone.Reset();
    }

    internal void Drain()
    {
        try
        {
            int item;
            while ((item = Interlocked.Increment(ref _next) - 1) < _itemCount)
            {
                Execute(item);
            }
        }
        catch (Exception e)
        {
            _failure = e;
            _next = int.MaxValue / 2; // stop handing out items
        }
    }

    internal void HelperFinished()
    {
        if (Interlocked.Decrement(ref _helpersLeft) == 0)
        {
            _helpersDone.Set();
        }
    }

    internal void WaitForHelpers(int helpers)
    {
        if (helpers > 0)
        {
            _helpersDone.Wait();
        }
    }
}

/// <summary>
/// The kernels' own worker threads (<see cref="Environment.ProcessorCount"/> − 1 of them, started on first use).
/// </summary>
/// <remarks>
/// Dedicated threads rather than the thread pool: a GEMM must not wait behind unrelated queued work, and
/// handing a job to waiting threads allocates nothing. One parallel job runs at a time; a job submitted
/// while another is running (another thread, or a kernel called from inside a job) runs on its caller's
/// thread alone, which gives the same results.
/// </remarks>
internal static class KernelThreads
{
    private static readonly object s_startLock = new();
    private static SemaphoreSlim? s_wake;
    private static int s_workerCount = -1;
    private static ParallelJob? s_job;
    private static int s_busy;

    /// <summary>The number of threads a kernel may use when asked for <paramref name="maxThreads"/> (≤ 0 means all cores).</summary>
    public static int Resolve(int maxThreads)
    {
        int cores = KernelParallelism.CurrentLimit > 0 ? Math.Min(KernelParallelism.CurrentLimit, Environment.ProcessorCount) : Environment.ProcessorCount;
        return maxThreads <= 0 ? cores : Math.Min(maxThreads, cores);
    }

    internal static void Run(ParallelJob job, int threads)
    {
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            job.PrepareHelpers(0);
            job.Drain();
            return;
        }

        try
        {
            EnsureStarted();
            int helpers = Math.Min(threads - 1, s_workerCount);
            job.PrepareHelpers(helpers);
            Volatile.Write(ref s_job, job);
            if (helpers > 0)
            {
                s_wake!.Release(helpers);
            }

            job.Drain();
            job.WaitForHelpers(helpers);
            Volatile.Write(ref s_job, null);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref s_workerCount) >= 0)
        {
            return;
        }

        lock (s_startLock)
        {
            if (s_workerCount >= 0)
            {
                return;
            }

            s_wake = new SemaphoreSlim(0);
            int count = Environment.ProcessorCount - 1;
            for (int i = 0; i < count; i++)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"Snr.Kernels worker {i}" };
                thread.Start();
            }

            Volatile.Write(ref s_workerCount, count);
        }
    }

    private static void WorkerLoop()
    {
        while (true)
        {
            s_wake!.Wait();
            ParallelJob job = Volatile.Read(ref s_job)!;
            job.Drain();
            job.HelperFinished();
        }
    }
}

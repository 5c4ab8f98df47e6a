using System.Diagnostics;

namespace Snr.Kernels;

/// <summary>
/// A unit of parallel work: <see cref="Execute"/> is called once for every item index in
/// <c>[0, itemCount)</c>, on the calling thread and on up to <c>threads − 1</c> kernel worker threads.
/// </summary>
/// <remarks>
/// Items are handed out dynamically, so which thread runs an item varies from run to run. Kernels keep
/// their results deterministic by making each item's arithmetic independent of who runs it (GEMM items
/// are row blocks of C; the reduction dimension is never split).
///
/// Helpers join a run by taking one of its open places. The caller works through the items itself and
/// then closes the places nobody took, so it only ever waits for helpers that are actually working: a
/// short job that the caller finishes alone costs no wake-up at all.
/// </remarks>
internal abstract class ParallelJob
{
    private int _next;
    private int _itemCount;
    private int _openPlaces;   // helper places not taken yet
    private int _pending;      // places not taken yet + helpers that took one and have not finished
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

    /// <summary>Opens <paramref name="helpers"/> places for worker threads (0 for a run on the caller alone).</summary>
    internal void Open(int helpers)
    {
        _pending = helpers;
        _helpersDone.Reset();
        Volatile.Write(ref _openPlaces, helpers); // last: a worker that takes a place sees everything above
    }

    /// <summary>Takes a place in the current run, if one is still open.</summary>
    internal bool TryJoin()
    {
        int places = Volatile.Read(ref _openPlaces);
        while (places > 0)
        {
            int seen = Interlocked.CompareExchange(ref _openPlaces, places - 1, places);
            if (seen == places)
            {
                return true;
            }

            places = seen;
        }

        return false;
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

    /// <summary>Called by a helper that took a place, when it has drained the job.</summary>
    internal void HelperFinished()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _helpersDone.Set();
        }
    }

    /// <summary>Closes the places nobody took and waits for the helpers that took one.</summary>
    internal void Close()
    {
        int untaken = Interlocked.Exchange(ref _openPlaces, 0);
        if (Interlocked.Add(ref _pending, -untaken) == 0 || KernelThreads.SpinUntil(ref _pending, 0, equal: true))
        {
            return;
        }

        // A Set left over from an earlier run of this job may wake the wait early; the count decides.
        while (Volatile.Read(ref _pending) != 0)
        {
            _helpersDone.Wait();
            _helpersDone.Reset();
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
///
/// After a job a worker spins for <see cref="SpinMicroseconds"/> watching for the next one before it
/// blocks. Waking a blocked thread costs 10–50 µs on Linux, more than a whole matrix-vector product of
/// a served row, so back-to-back small jobs (the layers of one prediction, the kernels of one training
/// step) only get a second core if it is still awake. The spin is bounded and happens only after a job,
/// so an idle process sleeps.
///
/// A caller wakes a sleeping worker by claiming it: it takes the worker off the count of sleepers and owes
/// it exactly one release. A worker that is still on its way to sleep while it is being counted either
/// withdraws itself (it saw the new job first) or consumes the release meant for it, so no wake-up is ever
/// left over, and a caller pays for a release only when a worker is asleep and nobody has woken it yet —
/// not on every job while a woken worker is still being scheduled.
/// </remarks>
internal static class KernelThreads
{
    /// <summary>How long an idle worker (and a caller waiting for one) spins before blocking.</summary>
    internal const int SpinMicroseconds = 100;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly object s_startLock = new();
    private static SemaphoreSlim? s_wake;
    private static int s_workerCount = -1;
    private static ParallelJob? s_job;
    private static int s_generation;   // incremented for every parallel run (only ever compared for change)
    private static int s_sleeping;     // workers blocked (or about to block) on s_wake that no caller has claimed yet
    private static int s_busy;
    private static long s_sleeps;      // times a worker set out to sleep (counted before it can be claimed)
    private static long s_wakeUps;     // releases of s_wake

    /// <summary>The number of threads a kernel may use when asked for <paramref name="maxThreads"/> (≤ 0 means all cores).</summary>
    public static int Resolve(int maxThreads)
    {
        int limit = KernelParallelism.CurrentLimit;
        int cores = limit > 0 ? Math.Min(limit, Environment.ProcessorCount) : Environment.ProcessorCount;
        return maxThreads <= 0 ? cores : Math.Min(maxThreads, cores);
    }

    /// <summary>Workers started (0 before the first parallel job), workers asleep that no caller has claimed, and wake-ups not yet consumed.</summary>
    internal static (int Workers, int Sleeping, int PendingWakes) IdleState =>
        (Math.Max(0, Volatile.Read(ref s_workerCount)), Volatile.Read(ref s_sleeping), s_wake?.CurrentCount ?? 0);

    /// <summary>How many times workers set out to sleep, and how many wake-ups callers released, since the process started.</summary>
    internal static (long Sleeps, long WakeUps) WakeCounts => (Interlocked.Read(ref s_sleeps), Interlocked.Read(ref s_wakeUps));

    internal static void Run(ParallelJob job, int threads)
    {
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            job.Open(0);
            job.Drain();
            return;
        }

        try
        {
            EnsureStarted();
            int helpers = Math.Min(threads - 1, s_workerCount);
            job.Open(helpers);
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            // Paired with the worker's increment of s_sleeping before it re-reads s_generation: either it
            // sees the new generation, or this sees it sleeping and wakes it.
            int woken = ClaimSleepers(helpers);
            if (woken > 0)
            {
                Interlocked.Add(ref s_wakeUps, woken);
                s_wake!.Release(woken);
            }

            job.Drain();
            job.Close();
            Volatile.Write(ref s_job, null);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Spins until <paramref name="location"/> equals <paramref name="value"/> (or, when <paramref name="equal"/> is false,
    /// differs from it) or the spin time is up; returns whether the condition holds.
    /// </summary>
    internal static bool SpinUntil(ref int location, int value, bool equal)
    {
        long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
        while ((Volatile.Read(ref location) == value) != equal)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            Thread.SpinWait(4);
        }

        return true;
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

    /// <summary>Takes up to <paramref name="count"/> workers off the count of unclaimed sleepers; whoever takes one owes it a release (or, a worker taking itself, a withdrawal).</summary>
    private static int ClaimSleepers(int count)
    {
        int sleeping = Volatile.Read(ref s_sleeping);
        while (sleeping > 0)
        {
            int claim = Math.Min(sleeping, count);
            int seen = Interlocked.CompareExchange(ref s_sleeping, sleeping - claim, sleeping);
            if (seen == sleeping)
            {
                return claim;
            }

            sleeping = seen;
        }

        return 0;
    }

    private static void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            int generation = Volatile.Read(ref s_generation);
            if (generation != seen)
            {
                seen = generation;
                ParallelJob? job = Volatile.Read(ref s_job);
                if (job is not null && job.TryJoin())
                {
                    job.Drain();
                    job.HelperFinished();
                }

                continue;
            }

            if (!SpinUntil(ref s_generation, seen, equal: false))
            {
                Interlocked.Increment(ref s_sleeps);
                Interlocked.Increment(ref s_sleeping);
                // A job that came after the spin: withdraw, unless a caller has already claimed this worker
                // (then its release is on the way and is consumed here, at once).
                if (Volatile.Read(ref s_generation) == seen || ClaimSleepers(1) == 0)
                {
                    s_wake!.Wait();
                }
            }
        }
    }
}

namespace Snr.Tests.Kernels;

/// <summary>
/// The kernels' worker threads: every item of every job runs exactly once, whoever submits it and however
/// jobs follow each other (back to back while the worker spins, or after it has gone to sleep), and a
/// failing item is reported to the caller without breaking the next job.
/// </summary>
[Collection("Kernels")]
public class KernelThreadsTests
{
    /// <summary>Counts how often each item ran; optionally throws on one item.</summary>
    private sealed class CountingJob(int items, int failOn = -1) : ParallelJob
    {
        public readonly int[] Runs = new int[items];
        public int RunsOnOtherThreads;
        public int Submitter = Environment.CurrentManagedThreadId;

        protected override void Execute(int item)
        {
            if (item == failOn) throw new InvalidOperationException($"item {item} fails");
            Interlocked.Increment(ref Runs[item]);
            if (Environment.CurrentManagedThreadId != Submitter) Interlocked.Increment(ref RunsOnOtherThreads);
            Thread.SpinWait(50); // long enough that a helper can take part
        }
    }

    [Fact]
    public void Every_item_runs_exactly_once_in_many_jobs_from_many_threads()
    {
        var errors = new List<string>();
        int helped = 0;
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var job = new CountingJob(37);
            for (int run = 1; run <= 2000; run++)
            {
                job.Run(37, threads: 2);
                if (job.Runs.Any(r => r != run))
                {
                    lock (errors) errors.Add($"thread {t}, run {run}: counts {string.Join(",", job.Runs)}");
                    return;
                }
            }

            Interlocked.Add(ref helped, job.RunsOnOtherThreads);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Empty(errors);
        Assert.True(helped > 0, "no item ever ran on a worker: the test did not exercise the hand-over");
    }

    [Fact]
    public void Jobs_after_the_workers_have_gone_to_sleep_still_complete()
    {
        var job = new CountingJob(64);
        for (int run = 1; run <= 5; run++)
        {
            Thread.Sleep(KernelThreads.SpinMicroseconds / 1000 + 20); // past the spin: the worker blocks
            job.Run(64, threads: 2);
            Assert.All(job.Runs, r => Assert.Equal(run, r));
        }
    }

    [Fact]
    public void A_failing_item_is_reported_and_the_next_job_runs()
    {
        var failing = new CountingJob(40, failOn: 13);
        var error = Assert.Throws<AggregateException>(() => failing.Run(40, threads: 2));
        Assert.Contains("item 13 fails", error.InnerException!.Message);

        var next = new CountingJob(40);
        next.Run(40, threads: 2);
        Assert.All(next.Runs, r => Assert.Equal(1, r));
    }
}

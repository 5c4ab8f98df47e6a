namespace Snr.Tests.Kernels;

/// <summary>Tests that change process-wide kernel state or need the kernel workers to themselves: run alone, after the others.</summary>
[CollectionDefinition("Kernel workers alone", DisableParallelization = true)]
public class KernelWorkersAloneCollection;

/// <summary>
/// The process-wide thread cap and what idle kernel workers cost: after a burst of jobs every worker blocks,
/// no wake-up is left pending, and over an idle second the workers use no CPU time.
/// </summary>
[Collection("Kernel workers alone")]
public class KernelWorkersIdleTests
{
    private sealed class BusyJob : ParallelJob
    {
        protected override void Execute(int item) => Thread.SpinWait(20);
    }

    [Fact]
    public void Idle_workers_block_consume_every_wake_up_and_use_no_cpu()
    {
        // Back-to-back jobs, some after a pause past the spin: wake-ups are released for workers that turn out to be awake.
        var job = new BusyJob();
        for (int run = 0; run < 3000; run++)
        {
            job.Run(16, threads: 2);
            if (run % 500 == 0) Thread.Sleep(KernelThreads.SpinMicroseconds / 1000 + 5);
        }

        var state = KernelThreads.IdleState;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.ElapsedMilliseconds < 10_000; Thread.Sleep(10))
            if ((state = KernelThreads.IdleState) is var (workers, sleeping, pending) && sleeping == workers && pending == 0) break;
        Assert.True(state.Workers == Environment.ProcessorCount - 1, $"workers {state.Workers}");
        Assert.True(state.Sleeping == state.Workers && state.PendingWakes == 0, $"after 10 s idle: {state}");

        if (!OperatingSystem.IsLinux()) return; // per-thread CPU time is read from /proc
        long before = WorkerCpuTicks();
        Thread.Sleep(1000);
        long used = WorkerCpuTicks() - before;
        Assert.True(used <= 1, $"idle workers used {used} clock ticks (of 10 ms) in one second: {KernelThreads.IdleState}");
    }

    [Fact]
    public void A_sleeping_worker_is_woken_once_however_many_jobs_come_before_it_runs()
    {
        // Jobs far shorter than a wake-up, right after the worker fell asleep: many start before the woken worker
        // runs. Each wake-up must be for a worker asleep and not yet woken (a release per job would leave wake-ups
        // piling up in the semaphore and put a lock on every job's path).
        var job = new BusyJob();
        for (int round = 0; round < 20; round++)
        {
            job.Run(2, threads: 2);
            Thread.Sleep(KernelThreads.SpinMicroseconds / 1000 + 5);
            var (sleepsBefore, wakeUpsBefore) = KernelThreads.WakeCounts;
            for (int run = 0; run < 200; run++)
                job.Run(2, threads: 2);
            var (sleepsAfter, wakeUpsAfter) = KernelThreads.WakeCounts;
            Assert.True(wakeUpsAfter - wakeUpsBefore <= sleepsAfter - sleepsBefore + Environment.ProcessorCount - 1,
                $"round {round}: {wakeUpsAfter - wakeUpsBefore} wake-ups released for {sleepsAfter - sleepsBefore} new sleeps (+ the workers asleep before)");
        }

        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.ElapsedMilliseconds < 10_000; Thread.Sleep(10))
            if (KernelThreads.IdleState is var (workers, sleeping, pending) && sleeping == workers && pending == 0) break;
        Assert.Equal(0, KernelThreads.IdleState.PendingWakes);
    }

    [Fact]
    public void The_process_limit_caps_every_thread_and_a_thread_limit_takes_precedence()
    {
        Assert.Equal(0, KernelParallelism.ProcessLimit);
        try
        {
            KernelParallelism.ProcessLimit = 1;
            Assert.Equal(1, KernelThreads.Resolve(0));
            int onAnotherThread = 0;
            var other = new Thread(() => onAnotherThread = KernelThreads.Resolve(8));
            other.Start();
            other.Join();
            Assert.Equal(1, onAnotherThread);
            using (KernelParallelism.Limit(2))
                Assert.Equal(Math.Min(2, Environment.ProcessorCount), KernelThreads.Resolve(0));
            Assert.Equal(1, KernelParallelism.CurrentLimit);
            Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.ProcessLimit = -1);
        }
        finally
        {
            KernelParallelism.ProcessLimit = 0;
        }

        Assert.Equal(Environment.ProcessorCount, KernelThreads.Resolve(0));
        Assert.Equal(0, KernelParallelism.ParseConfiguredLimit(null));
        Assert.Equal(3, KernelParallelism.ParseConfiguredLimit("3"));
        Assert.Contains("Snr.Kernels.MaxThreads", Assert.Throws<InvalidOperationException>(() => KernelParallelism.ParseConfiguredLimit("many")).Message);
    }

    // utime + stime of the kernel worker threads (Linux names a thread by its first 15 characters).
    private static long WorkerCpuTicks()
    {
        long ticks = 0;
        int found = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // a thread that ended
            int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
            if (!"Snr.Kernels worker".StartsWith(stat[(open + 1)..close], StringComparison.Ordinal)) continue;
            string[] fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // fields 14 and 15 of stat, counted from 1
            found++;
        }
        Assert.Equal(Environment.ProcessorCount - 1, found);
        return ticks;
    }
}

using System.Diagnostics;
using Snr.Tests.Serving;

namespace Snr.Tests.Robustness;

/// <summary>One predictor under load from 16 threads for a few seconds: the sequential results, and no allocation on any thread.</summary>
public class PredictorLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Sixteen_threads_get_the_sequential_results_without_allocating()
    {
        const int threads = 16, rows = 5;
        var model = ModelServingTests.Make("snr-trans-deep");
        var predictor = Predictor.Compile(model, options: new PredictorOptions(MaxThreads: 1));
        var inputs = Enumerable.Range(0, threads).Select(t => TestData.Normal(rows * 9, (ulong)(100 + t))).ToArray();
        var expected = inputs.Select(x =>
        {
            var y = new float[rows * 2];
            predictor.Predict(x, y);
            return y;
        }).ToArray();

        var mismatches = new int[threads];
        var allocated = new long[threads];
        var calls = new long[threads];
        var warmedUp = new Barrier(threads);
        var deadline = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var output = new float[rows * 2];
            predictor.Predict(inputs[t], output);   // warm-up: this thread's working memory
            warmedUp.SignalAndWait();                // steady state: every thread has its own
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (deadline.Elapsed < TimeSpan.FromSeconds(2))
            {
                predictor.Predict(inputs[t], output);
                if (!output.AsSpan().SequenceEqual(expected[t])) mismatches[t]++;
                calls[t]++;
            }
            allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();

        output.WriteLine($"{calls.Sum()} calls from {threads} threads in 2 s");
        Assert.All(mismatches, m => Assert.Equal(0, m));
        Assert.All(allocated, a => Assert.Equal(0, a));
        Assert.True(calls.Sum() > threads * 100, $"only {calls.Sum()} calls in 2 s");
    }
}

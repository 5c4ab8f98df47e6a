using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Snr.Core.Checkpoints;
using Snr.Core.Tabular;
using Snr.Datasets;
using Snr.Hosting;

namespace Snr.Cli;

/// <summary>
/// <c>snr loadtest</c>: a bounded load run on the loopback interface. Serves a copy of a model as
/// <c>snr serve</c> does (Kestrel, 127.0.0.1, a free port), sends a fixed number of prediction
/// requests of Census rows from concurrent clients at each batch size, replaces the checkpoint
/// halfway through each run, and reports throughput, latency, errors and the versions that answered.
/// </summary>
internal static class LoadTestCommand
{
    private const string ModelName = "census";

    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "a Census model folder written by snr train (it is copied; the copy is swapped)", Required = true };
        var swapTo = new Option<string?>("--swap-to") { Description = "a model folder whose checkpoint replaces the served one halfway through each run (default: the model's own, written anew)" };
        var clients = SnrCli.PositiveInt("--clients", 16, "concurrent clients, each with its own connection");
        var requests = SnrCli.PositiveInt("--requests", 20_000, "requests per batch size (after a warm-up of a tenth as many)");
        var batches = new Option<int[]>("--batch") { Description = "rows per request; repeat for several runs", DefaultValueFactory = _ => [1, 64] };
        var command = new Command("loadtest", "Load-test snr serve on loopback: concurrent clients, fixed request counts, one hot swap per run.")
        {
            model, swapTo, clients, requests, batches,
        };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            string source = parse.GetValue(model)!;
            string swapSource = Path.Combine(parse.GetValue(swapTo) ?? source, ModelCheckpoint.WeightsFile);
            ServeCommand.ParseModels([source]);
            if (!File.Exists(swapSource)) throw new UserError($"--swap-to: there is no {swapSource}.");
            if (parse.GetValue(batches)!.Any(b => b < 1)) throw new UserError("--batch must be positive.");
            Run(console, source, swapSource, parse.GetValue(clients), parse.GetValue(requests), parse.GetValue(batches)!).GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }

    private static async Task Run(CliConsole console, string source, string swapSource, int clients, int requests, int[] batches)
    {
        string served = Directory.CreateTempSubdirectory("snr-loadtest-").FullName;
        try
        {
            File.Copy(Path.Combine(source, ModelCheckpoint.WeightsFile), Path.Combine(served, ModelCheckpoint.WeightsFile));
            var settings = new ServeCommand.Settings([(ModelName, served)], "127.0.0.1", 0, Threads: 1, MaxRows: Math.Max(1024, batches.Max()));
            await using var app = ServeCommand.Build(settings);
            var pipeline = new PipelineAllocations();
            app.Use(pipeline.Measure);
            ServeCommand.Start(app, console);
            string url = $"{ServeCommand.BaseAddress(app)}/v1/models/{ModelName}:predict";

            var table = CensusIncome.Load();
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
            console.Line($"{clients} clients, {requests:N0} requests per batch size, one swap halfway through each run; {Environment.ProcessorCount} cores shared by server and clients.");
            foreach (int batch in batches)
            {
                var bodies = Bodies(table, batch, count: 256);
                await Drive(client, url, bodies, clients, Math.Max(clients, requests / 10), swap: null);
                pipeline.Reset();
                long allocatedBefore = GC.GetTotalAllocatedBytes();
                var result = await Drive(client, url, bodies, clients, requests, swap: () => Replace(swapSource, Path.Combine(served, ModelCheckpoint.WeightsFile)));
                long allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
                Report(console, batch, clients, result, pipeline, allocated);
            }
        }
        finally
        {
            Directory.Delete(served, recursive: true);
        }
    }

    // The same bytes under a new file, by an atomic rename, as ModelCheckpoint.Save replaces a checkpoint.
    private static void Replace(string from, string to)
    {
        byte[] bytes = File.ReadAllBytes(from);
        AtomicFile.Write(to, stream => stream.Write(bytes));
    }

    // Request bodies of consecutive Census rows, every column as the file holds it.
    private static byte[][] Bodies(RawTable table, int batch, int count)
    {
        var random = new Random(batch);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int start = random.Next(table.RowCount - batch);
            var rows = Enumerable.Range(start, batch)
                .Select(r => (IReadOnlyDictionary<string, object?>)table.ColumnNames.Select((name, c) => (name, value: (object?)table.Value(r, c))).ToDictionary(p => p.name, p => p.value))
                .ToArray();
            return JsonSerializer.SerializeToUtf8Bytes(new PredictRequest(rows), SnrHostingJsonContext.Default.PredictRequest);
        }).ToArray();
    }

    private sealed record RunResult(TimeSpan Elapsed, long[] LatencyTicks, int Errors, string? FirstError, IReadOnlyDictionary<long, int> Versions, TimeSpan? SwapSeenAfter);

    private static async Task<RunResult> Drive(HttpClient client, string url, byte[][] bodies, int clients, int requests, Action? swap)
    {
        var latencies = new long[requests];
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        int next = -1, errors = 0;
        string? firstError = null;
        long swappedAt = 0, swapSeenAt = 0, firstVersion = -1;
        var started = Stopwatch.GetTimestamp();
        var mediaType = new MediaTypeHeaderValue("application/json");
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                if (i == requests / 2 && swap is not null)
                {
                    swap();
                    Interlocked.Exchange(ref swappedAt, Stopwatch.GetTimestamp());
                }
                var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = mediaType;
                long t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync(url, content);
                    byte[] answer = await response.Content.ReadAsByteArrayAsync();
                    latencies[i] = Stopwatch.GetTimestamp() - t0;
                    if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
                    long version = VersionOf(answer);
                    versions.AddOrUpdate(version, 1, (_, n) => n + 1);
                    Interlocked.CompareExchange(ref firstVersion, version, -1);
                    if (version != Interlocked.Read(ref firstVersion) && Interlocked.Read(ref swappedAt) != 0)
                        Interlocked.CompareExchange(ref swapSeenAt, Stopwatch.GetTimestamp(), 0);
                }
                catch (HttpRequestException e)
                {
                    latencies[i] = Stopwatch.GetTimestamp() - t0;
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        TimeSpan? seenAfter = swapSeenAt != 0 ? Stopwatch.GetElapsedTime(swappedAt, swapSeenAt) : null;
        return new RunResult(elapsed, latencies, errors, firstError, versions, seenAfter);
    }

    private static long VersionOf(byte[] answer) =>
        JsonSerializer.Deserialize(answer, SnrHostingJsonContext.Default.PredictResponse)?.Version ?? -1;

    private static void Report(CliConsole console, int batch, int clients, RunResult result, PipelineAllocations pipeline, long allocated)
    {
        var sorted = result.LatencyTicks.Order().ToArray();
        double Ms(double quantile) => sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
        double seconds = result.Elapsed.TotalSeconds;
        int n = sorted.Length;
        // Plain lines (not the rich console): they are meant to be copied whole into notes.
        console.Output.WriteLine($"batch {batch}: {n:N0} requests in {seconds:F2} s = {n / seconds:N0} req/s, {n * (double)batch / seconds:N0} rows/s; " +
            $"latency p50 {Ms(0.50):F3} ms, p90 {Ms(0.90):F3} ms, p99 {Ms(0.99):F3} ms, max {Ms(1.0):F3} ms");
        console.Output.WriteLine($"  errors {result.Errors}{(result.FirstError is null ? "" : $" (first: {result.FirstError})")}; answered by version " +
            string.Join(", ", result.Versions.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value:N0}")) +
            (result.SwapSeenAfter is { } after ? $"; the new version answered {after.TotalMilliseconds:F0} ms after the file was replaced" : "; the swap was not seen during the run"));
        console.Output.WriteLine($"  allocations per request: {pipeline.BytesPerRequest:N0} B in the server's pipeline (routing and endpoint, {pipeline.Samples:N0} requests that completed on one thread), " +
            $"{allocated / (double)n:N0} B in the whole process (clients included)");
    }

    /// <summary>Bytes the server allocates per request from routing to the written answer (requests that stay on one thread, so the thread's counter covers them).</summary>
    private sealed class PipelineAllocations
    {
        private long _bytes, _samples;

        public long Samples => Interlocked.Read(ref _samples);

        public double BytesPerRequest => Samples == 0 ? double.NaN : Interlocked.Read(ref _bytes) / (double)Samples;

        public void Reset()
        {
            Interlocked.Exchange(ref _bytes, 0);
            Interlocked.Exchange(ref _samples, 0);
        }

        public async Task Measure(Microsoft.AspNetCore.Http.HttpContext context, Func<Task> next)
        {
            int thread = Environment.CurrentManagedThreadId;
            long before = GC.GetAllocatedBytesForCurrentThread();
            await next();
            if (Environment.CurrentManagedThreadId != thread) return;
            Interlocked.Add(ref _bytes, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Increment(ref _samples);
        }
    }
}

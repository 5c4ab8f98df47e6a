using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Snr.Core.Checkpoints;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Training;
using Snr.Distributed;

namespace Snr.Cli;

/// <summary>
/// <c>snr train --workers N</c>: synchronous data-parallel training on a local Orleans cluster of N processes
/// (this one, the primary silo with the coordinator, and N−1 <c>snr worker</c> processes it starts), and the
/// silo set-up <c>snr worker</c> shares with it.
/// </summary>
internal static class DistributedTraining
{
    public const string RunId = "snr-train";

    public static Option<int> WorkersOption() => new("--workers")
    {
        Description = "train data-parallel on a local cluster of N processes (1: in this process, no cluster)", DefaultValueFactory = _ => 1,
    };

    /// <summary>The job every process of the run builds alike from the same options: the same data, model and shards.</summary>
    public static (DataParallelJob Job, LoadedData Data) Job(ParseResult parse, TrainingOptions training, string kind, ulong seed, int workers, CliConsole console)
    {
        var settings = training.Settings(parse, kind, seed);
        var data = training.Load(parse, seed, console);
        var config = settings.Config is { } given
            ? ModelBinding.Bind(given, data, seed)
            : DefaultModels.Create(settings.Model, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, seed);
        var trainingConfig = config is SnrConfig ? settings.Training : settings.Training with { L0Lambda = 0, TargetCost = null, TargetConnections = null };
        int batch = settings.BatchSize;
        var job = new DataParallelJob
        {
            RunId = RunId, Model = config, Training = trainingConfig, Workers = workers, GlobalBatch = batch,
            Shards = (rank, n) => new DatasetShard(data.Train, config, rank, n, batch, seed),
            // A killed worker process is declared dead by membership after a few missed probes: enough attempts to outlast that.
            StepTimeout = TimeSpan.FromSeconds(10), MaxAttempts = 6, RetryDelay = TimeSpan.FromSeconds(10),
        };
        try
        {
            job.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
        return (job, data);
    }

    /// <summary>Starts a silo on localhost that can host the run's coordinator and workers; <paramref name="primary"/> null: this is the primary silo.</summary>
    public static async Task<IHost> StartSiloAsync(DataParallelJob job, int siloPort, int gatewayPort, IPEndPoint? primary)
    {
        var jobs = new DataParallelJobs();
        jobs.Add(job);
        var host = new HostBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, primary).AddDataParallelTraining(jobs)
                // RunStep may retry a step after a lost worker: its caller waits for every attempt.
                .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = (job.StepTimeout + job.RetryDelay) * (job.MaxAttempts + 1)))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Trains with <paramref name="workers"/> processes, reports as <c>snr train</c> does, and saves the model.</summary>
    public static int Train(ParseResult parse, TrainingOptions training, string kind, ulong seed, int workers, string folder, CliConsole console)
    {
        var (job, data) = Job(parse, training, kind, seed, workers, console);
        int[] ports = FreePorts(2 * workers);
        var children = new List<Process>();
        using var silo = StartSiloAsync(job, ports[0], ports[1], primary: null).GetAwaiter().GetResult();
        try
        {
            for (int w = 1; w < workers; w++) children.Add(StartWorker(parse, ports[0], ports[2 * w], ports[2 * w + 1]));
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            WaitForSilos(grains, workers, TimeSpan.FromSeconds(60), children);
            console.Line($"{workers} processes joined the cluster; {job.GlobalBatch} rows per step shared by {workers} ranks");
            return Run(grains, job, data, folder, console);
        }
        finally
        {
            foreach (var child in children)
            {
                if (!child.HasExited) child.Kill(entireProcessTree: true);
                child.WaitForExit(5000);
                child.Dispose();
            }
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            silo.StopAsync(stopping.Token).GetAwaiter().GetResult();
        }
    }

    private static int Run(IGrainFactory grains, DataParallelJob job, LoadedData data, string folder, CliConsole console)
    {
        var coordinator = grains.GetGrain<IDataParallelCoordinatorGrain>(RunId);
        var settings = job.Training;
        long stepsPerEpoch = Math.Max(1, data.Train.Count / job.GlobalBatch), steps = settings.Epochs * stepsPerEpoch;
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long bytes = 0;
        for (long k = 0; k < steps; k++)
        {
            console.Interrupt.ThrowIfCancellationRequested();
            StepReport report;
            try
            {
                report = coordinator.RunStep(k).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or OrleansException)
            {
                throw new UserError($"Distributed training stopped at step {k} of {steps}: {e.Message}");
            }
            if (report.Attempts > 1) console.Line($"step {k}: a worker was lost; done in {report.Attempts} attempts, ranks now on {string.Join(", ", report.Hosts)}");
            if (float.IsFinite(report.Loss)) lossSum += report.Loss;
            bytes = report.PayloadBytes;
            if ((k + 1) % stepsPerEpoch == 0)
            {
                console.Line(FormattableString.Invariant($"epoch {(k + 1) / stepsPerEpoch}/{settings.Epochs}: train loss {lossSum / stepsPerEpoch:F4}, {clock.Elapsed.TotalMilliseconds / (k + 1):F2} ms/step"));
                lossSum = 0;
            }
        }
        var model = ModelFactory.Create(job.Model);
        ParameterVector.ScatterValues(coordinator.Weights().GetAwaiter().GetResult(), model.Parameters());
        console.Line(FormattableString.Invariant($"{steps} steps in {clock.Elapsed.TotalSeconds:F1}s ({clock.Elapsed.TotalMilliseconds / Math.Max(steps, 1):F2} ms/step), {bytes:N0} bytes of weights and gradients per step; hosts: {string.Join(", ", coordinator.Members().GetAwaiter().GetResult())}"));
        var predictor = Predictor.Compile(model);
        ModelReport.Metrics(console, Evaluator.Evaluate(predictor, model.Tasks, data.Test), "test metrics");
        ModelCheckpoint.Save(folder, model, data.Encoder?.Preprocessing, data.Provenance);
        console.Line($"Saved to {folder}");
        return 0;
    }

    // The worker gets the train command's own options (same data, model, seed), less those only the trainer uses.
    private static Process StartWorker(ParseResult parse, int primaryPort, int siloPort, int gatewayPort)
    {
        var args = new List<string> { "worker", "--cluster", $"127.0.0.1:{primaryPort}", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
            "--parent", $"{Environment.ProcessId}" };
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (i == 0 && tokens[i] == "train") continue;
            if (tokens[i] is "--out") { i++; continue; }
            if (tokens[i] is "--json") continue;
            args.Add(tokens[i]);
        }
        string apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "snr.exe" : "snr");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "snr.dll") } };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new UserError("Could not start a worker process.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitForSilos(IGrainFactory grains, int count, TimeSpan timeout, List<Process> children)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            int active = management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count;
            if (active >= count) return;
            if (children.FirstOrDefault(c => c.HasExited) is { } dead)
                throw new UserError($"A worker process exited (code {dead.ExitCode}) before joining the cluster.");
            if (clock.Elapsed > timeout) throw new UserError($"Only {active} of {count} processes joined the cluster in {timeout.TotalSeconds:F0}s.");
            Thread.Sleep(200);
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Snr.Core.Checkpoints;
using Snr.Core.Serving;
using Snr.Core.Tabular;
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

    public static Option<int> CheckpointEveryOption() => new("--checkpoint-every")
    {
        Description = "with --workers: write the training state into the --out folder every K steps (and at every epoch end), to resume from", DefaultValueFactory = _ => 100,
    };

    public static Option<bool> ResumeOption() => new("--resume")
    {
        Description = "with --workers: continue the stopped run whose training state is in the --out folder (same data and options)",
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
        string watched = settings.Watch ?? data.Tasks[0].Name;
        if (!data.Tasks.Any(t => t.Name == watched))
            throw new UserError($"--watch '{watched}' names no task; the tasks are {string.Join(", ", data.Tasks.Select(t => t.Name))}.");
        if (settings.Patience is { } patience)
            trainingConfig = trainingConfig with { EarlyStopping = new EarlyStoppingConfig { Task = watched, Metric = ValidationMetric.Loss, Patience = patience } };
        int batch = settings.BatchSize;
        var job = new DataParallelJob
        {
            RunId = RunId, Model = config, Training = trainingConfig, Workers = workers, GlobalBatch = batch,
            Shards = Shards(data, config, batch, seed),
            StepsPerEpoch = StepsPerEpoch(data.TrainRows, batch), DataIdentity = $"{data.Provenance}, {data.TrainRows} training rows",
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
                // RunStep may retry a step after a lost worker (and step 0 waits for the shards to open): its caller waits for every attempt.
                .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = job.OpenTimeout + (job.StepTimeout + job.RetryDelay) * (job.MaxAttempts + 1))
                // A killed process must be declared dead within a step's attempts, also on a loaded machine: on a local
                // cluster the primary's vote is enough, probes time out after 2 s, and the timeout is not stretched when
                // this process is slow (which would keep a dead worker "alive" for minutes; notes/distributed.md).
                .Configure<ClusterMembershipOptions>(o =>
                {
                    o.NumVotesForDeathDeclaration = 1;
                    o.ProbeTimeout = TimeSpan.FromSeconds(2);
                    o.ExtendProbeTimeoutDuringDegradation = false;
                }))
            .Build();
        await host.StartAsync();
        return host;
    }

    private static long StepsPerEpoch(long rows, int batch) => Math.Max(1, rows / batch);

    // In memory, rank r takes rows i ≡ r (mod N); with --stream, it streams the training rows of the file's chunks c ≡ r (mod N).
    private static Func<int, int, ITrainingShard> Shards(LoadedData data, ModelConfig config, int batch, ulong seed)
    {
        if (data.StreamedFile is not { } file) return (rank, n) => new DatasetShard(data.Train, config, rank, n, batch, seed);
        return (rank, n) =>
        {
            // Chunks small enough that every rank gets several of a small file (at most the single-process chunk), and
            // windows of chunks as large as the shuffle buffer asked for, so rows mix as much as in single-process streaming.
            var fit = file.Fit;
            long fileRows = fit.TrainRows + fit.ValidationRows + fit.TestRows;
            int chunkRows = (int)Math.Clamp((fileRows + 8L * n - 1) / (8L * n), 1, CsvChunkSource.DefaultChunkRows);
            var source = file.Open(chunkRows);
            try
            {
                return new StreamingShard(source, fit, config, rank, n, batch, seed, windowChunks: Math.Max(1, file.ShuffleBufferRows / chunkRows));
            }
            catch
            {
                source.Dispose();
                throw;
            }
        };
    }

    /// <summary>
    /// Trains with <paramref name="workers"/> processes, reports as <c>snr train</c> does, and saves the model. The training
    /// state goes into <paramref name="folder"/> every <paramref name="checkpointEvery"/> steps and at every epoch end;
    /// <paramref name="resume"/> continues from it.
    /// </summary>
    public static int Train(ParseResult parse, TrainingOptions training, string kind, ulong seed, int workers, string folder, int checkpointEvery, bool resume, CliConsole console)
    {
        if (checkpointEvery < 0) throw new UserError($"--checkpoint-every {checkpointEvery}: give a number of steps (0: only at epoch ends).");
        RequireState(folder, resume);
        var (job, data) = Job(parse, training, kind, seed, workers, console);
        job = job with { CheckpointDirectory = folder, CheckpointEvery = checkpointEvery };
        int[] ports = FreePorts(2 * workers);
        var children = new List<Process>();
        using var silo = StartSiloAsync(job, ports[0], ports[1], primary: null).GetAwaiter().GetResult();
        try
        {
            for (int w = 1; w < workers; w++) children.Add(StartWorker(parse, ports[0], ports[2 * w], ports[2 * w + 1]));
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            WaitForSilos(silo.Services, workers, TimeSpan.FromSeconds(60), children);
            console.Line($"{workers} processes joined the cluster; {job.GlobalBatch} rows per step shared by {workers} ranks" +
                (data.StreamedFile is null ? "" : $"; each rank streams the training rows of its own chunks of {data.Name} (chunks c ≡ rank mod {workers})"));
            console.Line($"{data.TrainRows:N0} training, {LoadedData.CountOf(data.ValidationRows)} validation, {LoadedData.CountOf(data.TestRows)} test rows");
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

    // A new run does not write over the state of an unfinished one, and a resumed run needs one.
    private static void RequireState(string folder, bool resume)
    {
        bool exists = TrainingCheckpoint.Exists(folder);
        if (resume && !exists) throw new UserError($"--resume: '{folder}' holds no training state ({TrainingCheckpoint.FileName}) to continue.");
        if (!resume && exists)
            throw new UserError($"'{folder}' holds the training state of an unfinished run ({TrainingCheckpoint.FileName}): add --resume to continue it, or choose another --out.");
    }

    private static int Run(IGrainFactory grains, DataParallelJob job, LoadedData data, string folder, CliConsole console)
    {
        var run = new DataParallelRun(grains, job);
        var settings = job.Training;
        long stepsPerEpoch = job.StepsPerEpoch, steps = settings.Epochs * stepsPerEpoch;
        long first;
        try
        {
            first = run.NextStepAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or OrleansException)
        {
            throw new UserError($"The run could not start from '{folder}': {e.Message}");
        }
        if (first > 0) console.Line($"Resuming from the training state after step {first} of {steps} (epoch {first / stepsPerEpoch + 1})");
        var epochs = new DistributedEpochs(job, data.ValidationRows, console);
        var clock = Stopwatch.StartNew();
        long bytes = 0, ran = 0;
        bool OnStep(StepReport report)
        {
            if (report.Attempts > 1) console.Line($"step {report.Step}: a worker was lost; done in {report.Attempts} attempts, ranks now on {string.Join(", ", report.Hosts)}");
            if (report.CheckpointError is { } failed) console.Line($"step {report.Step}: the checkpoint could not be written ({failed}); the previous one stays");
            bytes = report.PayloadBytes;
            ran++;
            return epochs.Step(report, () => run.Coordinator.Weights().GetAwaiter().GetResult()) && !console.Interrupt.IsCancellationRequested;
        }
        void OnRewind(long from, long to) => console.Line($"step {from}: the coordinator was lost; it resumed from the checkpoint after step {to}, and the steps from there run again");
        long done;
        try
        {
            done = run.RunAsync(steps, OnStep, OnRewind).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or OrleansException)
        {
            throw new UserError($"Distributed training stopped: {e.Message} The training state in '{folder}' holds the last checkpoint; continue with --resume.");
        }
        if (done < steps && !epochs.StoppedEarly)
        {
            try
            {
                long saved = run.Coordinator.SaveCheckpoint().GetAwaiter().GetResult();
                console.Line($"Interrupted after step {done} of {steps}; the training state after step {saved} is in '{folder}' (continue with --resume)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OrleansException or TimeoutException)
            {
                console.Line($"Interrupted after step {done} of {steps}; the training state could not be saved now ({e.Message}); the last checkpoint in '{folder}' stays (continue with --resume)");
            }
            return SnrCli.InterruptedCode;
        }
        var model = ModelFactory.Create(job.Model);
        ParameterVector.ScatterValues(epochs.Kept(epochs.Last ?? run.Coordinator.Weights().GetAwaiter().GetResult()), model.Parameters());
        console.Line(FormattableString.Invariant($"{ran} steps in {clock.Elapsed.TotalSeconds:F1}s ({clock.Elapsed.TotalMilliseconds / Math.Max(ran, 1):F2} ms/step), {bytes:N0} bytes of weights and gradients per step; hosts: {string.Join(", ", run.Coordinator.Members().GetAwaiter().GetResult())}"));
        console.Line(job.Training.EarlyStopping is { } es
            ? $"Keeping epoch {epochs.BestEpoch}, the best validation {es.Task} loss{(epochs.StoppedEarly ? $" (stopped early after epoch {done / stepsPerEpoch} of {settings.Epochs}: {es.Patience} epoch(s) without improvement)" : "")}."
            : $"Keeping epoch {epochs.BestEpoch}, the last epoch.");
        if (model is SnrModel snr && new RoutingRegularizer(snr, job.Training, stepsPerEpoch: 1).Finish() is { Count: > 0 } changes)
            console.Line($"Serving gates set after training: {string.Join(", ", changes)}");
        var predictor = Predictor.Compile(model);
        ModelReport.Metrics(console, Evaluator.Evaluate(predictor, model.Tasks, data.TestRows), "test metrics");
        ModelCheckpoint.Save(folder, model, data.Encoder?.Preprocessing, data.Provenance);
        // The run is complete and its model saved: its training state has nothing left to resume.
        File.Delete(TrainingCheckpoint.PathIn(folder));
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
            if (tokens[i] is "--out" or "--checkpoint-every") { i++; continue; }
            if (tokens[i] is "--json" or "--resume") continue;
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

    // Active in membership is not enough: until this silo's cluster manifest lists a silo's grain types, placement does
    // not see it as a host for the ranks, and every rank would land here.
    private static void WaitForSilos(IServiceProvider services, int count, TimeSpan timeout, List<Process> children)
    {
        var management = services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var manifest = services.GetRequiredService<IClusterManifestProvider>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            int active = management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count;
            if (active >= count && manifest.Current.Silos.Count >= count) return;
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

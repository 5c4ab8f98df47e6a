using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Snr.Core.Checkpoints;
using Snr.Core.Serving;
using Snr.Hosting;

namespace Snr.Cli;

/// <summary>
/// <c>snr serve</c>: serve saved models over HTTP (Snr.Hosting on Kestrel) until Ctrl+C, reloading
/// a model whenever its checkpoint is replaced.
/// </summary>
internal static class ServeCommand
{
    /// <summary>How to serve: the models by name, where to listen, how each request runs.</summary>
    internal sealed record Settings(IReadOnlyList<(string Name, string Directory)> Models, string Host, int Port, int Threads, int MaxRows);

    public static Command Create(CliConsole console)
    {
        var models = new Option<string[]>("--model")
        {
            Description = "a folder written by snr train, served under its folder name, or NAME=FOLDER; repeat for more models",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var port = new Option<int>("--port") { Description = "the TCP port (0: any free port)", DefaultValueFactory = _ => 8080 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError($"--port must be in 0..65535, got {r.GetValueOrDefault<int>()}.");
        });
        var host = new Option<string>("--host") { Description = "the address to listen on (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var threads = new Option<int>("--threads")
        {
            Description = "threads one request may use (1: each request on its own thread, best under concurrent load; 0: all cores, for few large batches)",
            DefaultValueFactory = _ => 1,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0) r.AddError($"--threads must be 0 or more, got {r.GetValueOrDefault<int>()}.");
        });
        var maxRows = SnrCli.PositiveInt("--max-rows", 1024, "the most rows one request may hold");
        var command = new Command("serve", "Serve saved models over HTTP: POST /v1/models/NAME:predict, GET /v1/models/NAME, /healthz, /readyz.")
        {
            models, port, host, threads, maxRows,
        };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var settings = new Settings(ParseModels(parse.GetValue(models)!), parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(threads), parse.GetValue(maxRows));
            using var app = Build(settings);
            Start(app, console);
            console.Error.WriteLine("Press Ctrl+C to stop.");
            app.WaitForShutdown();
            return 0;
        }));
        return command;
    }

    /// <summary>Reads <c>--model</c> values: <c>FOLDER</c> (named after the folder) or <c>NAME=FOLDER</c>; every folder must hold a checkpoint.</summary>
    /// <exception cref="UserError">A folder has no checkpoint, or two models share a name.</exception>
    internal static IReadOnlyList<(string Name, string Directory)> ParseModels(IEnumerable<string> values)
    {
        var models = new List<(string Name, string Directory)>();
        foreach (string value in values)
        {
            int equals = value.IndexOf('=');
            var (name, directory) = equals > 0 && !Directory.Exists(value)
                ? (value[..equals], value[(equals + 1)..])
                : (Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(value))), value);
            if (!File.Exists(Path.Combine(directory, ModelCheckpoint.WeightsFile)))
                throw new UserError($"--model {value}: '{directory}' has no {ModelCheckpoint.WeightsFile}; give a folder written by snr train.");
            if (models.Any(m => m.Name == name))
                throw new UserError($"--model {value}: two models are named '{name}'; name them with NAME=FOLDER.");
            models.Add((name, directory));
        }
        return models;
    }

    /// <summary>The web app that serves <paramref name="settings"/>: the models, their endpoints, the health checks.</summary>
    /// <exception cref="ArgumentException">A model name is not valid.</exception>
    internal static WebApplication Build(Settings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{(settings.Host.Contains(':') ? $"[{settings.Host}]" : settings.Host)}:{settings.Port}");
        // Per-request logs at Information would cost more than the predictions.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        foreach (var (name, directory) in settings.Models)
            builder.Services.AddSnrModel(name, directory, options =>
            {
                options.Predictor = new PredictorOptions(MaxThreads: settings.Threads);
                options.MaxRowsPerRequest = settings.MaxRows;
            });
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapSnrModels();
        app.MapSnrHealthChecks();
        return app;
    }

    /// <summary>Starts <paramref name="app"/> and prints where each model answers.</summary>
    /// <exception cref="UserError">A model could not be loaded (the app is stopped first).</exception>
    internal static void Start(WebApplication app, CliConsole console)
    {
        app.StartAsync().GetAwaiter().GetResult();
        var registry = app.Services.GetRequiredService<ModelRegistry>();
        var failed = registry.Models.Where(m => m.Current is null).ToArray();
        if (failed.Length > 0)
        {
            app.StopAsync().GetAwaiter().GetResult();
            throw new UserError(string.Join(Environment.NewLine, failed.Select(m => $"model '{m.Name}' could not be loaded: {m.LastError}")));
        }
        string address = BaseAddress(app);
        foreach (var model in registry.Models)
        {
            var predictor = model.Current!.Predictor.Predictor;
            console.Line($"{model.Name}: {string.Join(", ", predictor.Tasks)} ({predictor.Summary.FlopsPerRow:N0} FLOPs per row) at POST {address}/v1/models/{model.Name}:predict");
        }
        console.Line($"Health: {address}/healthz, readiness: {address}/readyz");
    }

    /// <summary>The address the app listens on (with the actual port when it was 0).</summary>
    internal static string BaseAddress(WebApplication app) => app.Urls.First().TrimEnd('/');
}

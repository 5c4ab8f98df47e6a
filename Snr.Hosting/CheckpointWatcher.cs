using Microsoft.Extensions.Hosting;

namespace Snr.Hosting;

/// <summary>
/// Loads every model when the app starts, then reloads a model when its checkpoint file is
/// replaced. A file-system watcher reports changes at once; polling the file's size and time
/// stamp catches what a watcher misses (renames on some file systems, network shares, a watcher
/// that overflowed). Events are debounced: the file must stay quiet for
/// <see cref="SnrModelOptions.Debounce"/> before it is read.
/// </summary>
internal sealed class CheckpointWatcher(ModelRegistry registry) : BackgroundService
{
    /// <summary>Loads each model once, so the app is ready when it starts listening (a model that fails keeps readiness failing).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in registry.Models) model.Reload();
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(registry.Models.Select(m => WatchAsync(m, stoppingToken)));

    private static async Task WatchAsync(ServedModel model, CancellationToken stoppingToken)
    {
        using var changed = new SemaphoreSlim(0, 1);
        using var watcher = model.Options.WatchFile ? TryWatch(model.CheckpointPath, changed) : null;
        try
        {
            while (true)
            {
                bool signalled = await changed.WaitAsync(model.Options.PollInterval, stoppingToken);
                if (signalled)
                {
                    while (await changed.WaitAsync(model.Options.Debounce, stoppingToken)) { }
                }
                // An event reloads even when the stamp looks the same (a copy that kept the time stamp); a poll only when it changed.
                if (signalled ? File.Exists(model.CheckpointPath) : model.CheckpointChanged())
                    await Task.Run(model.Reload, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Null when the folder does not exist (yet) or cannot be watched: polling still runs.
    private static FileSystemWatcher? TryWatch(string path, SemaphoreSlim changed)
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            void Signal()
            {
                try { changed.Release(); }
                catch (SemaphoreFullException) { } // a change is already pending
                catch (ObjectDisposedException) { } // the app is stopping
            }
            watcher.Changed += (_, _) => Signal();
            watcher.Created += (_, _) => Signal();
            watcher.Renamed += (_, _) => Signal();
            watcher.Error += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is ArgumentException or IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

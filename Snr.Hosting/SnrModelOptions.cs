using Snr.Core.Serving;

namespace Snr.Hosting;

/// <summary>How one named model is served: where its checkpoint is, what a request may hold, how the file is watched.</summary>
public sealed class SnrModelOptions
{
    /// <summary>The checkpoint folder (written by <c>snr train</c> or <c>ModelCheckpoint.Save</c>); its <c>model.safetensors</c> is watched and reloaded when replaced.</summary>
    public string Directory { get; set; } = "";

    /// <summary>The tasks to serve, in output order; null serves all of the model's tasks (parts no served task reaches are pruned).</summary>
    public IReadOnlyList<string>? Tasks { get; set; }

    /// <summary>
    /// How the predictor runs. The default, one thread, serves each request on the thread that received it, so
    /// concurrent requests share the cores without the kernels' worker threads competing with them. A service
    /// that gets few, large batches can set <c>new PredictorOptions(MaxThreads: 0)</c> to give one batch every core.
    /// </summary>
    public PredictorOptions Predictor { get; set; } = new(MaxThreads: 1);

    /// <summary>The most rows one request may hold; more is a 400.</summary>
    public int MaxRowsPerRequest { get; set; } = 1024;

    /// <summary>The largest request body in bytes; larger is a 400.</summary>
    public long MaxRequestBytes { get; set; } = 4 << 20;

    /// <summary>Watch the checkpoint with a file-system watcher (polling runs either way, since a watcher can miss a rename).</summary>
    public bool WatchFile { get; set; } = true;

    /// <summary>How often the checkpoint's size and time stamp are compared with the loaded one's.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the file must stay quiet after a change event before it is loaded (a save raises several events).</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    internal void Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException($"Model '{name}': SnrModelOptions.Directory is empty.");
        if (MaxRowsPerRequest < 1) throw new ArgumentException($"Model '{name}': SnrModelOptions.MaxRowsPerRequest must be at least 1, got {MaxRowsPerRequest}.");
        if (MaxRequestBytes < 2) throw new ArgumentException($"Model '{name}': SnrModelOptions.MaxRequestBytes must be at least 2, got {MaxRequestBytes}.");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException($"Model '{name}': SnrModelOptions.PollInterval must be positive, got {PollInterval}.");
        if (Debounce < TimeSpan.Zero) throw new ArgumentException($"Model '{name}': SnrModelOptions.Debounce must not be negative, got {Debounce}.");
        ArgumentNullException.ThrowIfNull(Predictor, nameof(Predictor));
    }
}

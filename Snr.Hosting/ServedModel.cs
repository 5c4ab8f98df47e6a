using Microsoft.Extensions.Logging;
using Snr.Core.Checkpoints;
using Snr.Core.Serving;

namespace Snr.Hosting;

/// <summary>
/// A named model and the version of it being served. <see cref="Reload"/> loads the checkpoint,
/// validates it and swaps it in by one reference exchange; a file that fails is refused and
/// logged, and the previous version keeps serving.
/// </summary>
internal sealed class ServedModel
{
    private readonly ILogger _logger;
    private readonly SnrMetrics _metrics;
    private readonly Lock _reloading = new();
    private LoadedModel? _current;
    private long _loads;

    public ServedModel(string name, SnrModelOptions options, SnrMetrics metrics, ILogger logger)
    {
        Name = name;
        Options = options;
        CheckpointPath = Path.Combine(Path.GetFullPath(options.Directory), ModelCheckpoint.WeightsFile);
        _metrics = metrics;
        _logger = logger;
    }

    public string Name { get; }

    public SnrModelOptions Options { get; }

    /// <summary>The checkpoint file that is watched.</summary>
    public string CheckpointPath { get; }

    /// <summary>The version being served, or null before a first load succeeded.</summary>
    public LoadedModel? Current => Volatile.Read(ref _current);

    /// <summary>Why the last load failed, or null when it succeeded (or none was tried).</summary>
    public string? LastError { get; private set; }

    /// <summary>The stamp of the file the last load read (whether it was refused or not).</summary>
    public FileStamp? LastAttempt { get; private set; }

    /// <summary>True when the checkpoint exists and differs from the one last loaded or refused.</summary>
    public bool CheckpointChanged() => FileStamp.Of(CheckpointPath) is { } stamp && stamp != LastAttempt;

    /// <summary>
    /// Loads the checkpoint, validates it and makes it the current version. Returns false, logs and
    /// keeps the current version when the file is missing or damaged.
    /// </summary>
    public bool Reload()
    {
        lock (_reloading)
        {
            // Taken before reading: if the file is replaced again meanwhile, the next poll sees a newer stamp and loads again.
            var stamp = FileStamp.Of(CheckpointPath);
            LastAttempt = stamp;
            if (stamp is null) return Refuse($"there is no checkpoint file {CheckpointPath}", null);
            TabularPredictor predictor;
            InputLayout inputs;
            byte[] digest;
            try
            {
                // A reload of the bytes already serving is not a new version, whatever event or poll asked for it
                // (a save raises several file events, and a busy machine can spread them past the debounce).
                digest = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(CheckpointPath));
                if (Current is { } serving && digest.AsSpan().SequenceEqual(serving.Digest)) return true;
                predictor = TabularPredictor.Load(Options.Directory, Options.Tasks, Options.Predictor);
                inputs = new InputLayout(predictor.Encoder);
                Probe(predictor, inputs);
            }
            // Whatever a damaged file makes the loader throw, the server must go on with the old model.
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Refuse(e.Message, e);
            }
            var loaded = new LoadedModel(++_loads, predictor, inputs, stamp.Value, DateTimeOffset.UtcNow, digest);
            var previous = Interlocked.Exchange(ref _current, loaded);
            LastError = null;
            _metrics.Reloaded(Name, loaded: true);
            _logger.LogInformation("Model {Model}: serving version {Version} from {Path} (tasks {Tasks}; {Flops:N0} FLOPs per row){Replaced}",
                Name, loaded.Version, CheckpointPath, string.Join(", ", predictor.Predictor.Tasks), predictor.Predictor.Summary.FlopsPerRow,
                previous is null ? "" : $", replacing version {previous.Version}");
            return true;
        }
    }

    private bool Refuse(string reason, Exception? exception)
    {
        LastError = reason;
        _metrics.Reloaded(Name, loaded: false);
        var current = Current;
        _logger.LogError(exception, "Model {Model}: refused {Path}: {Reason}. {Serving}", Name, CheckpointPath, reason,
            current is null ? "No version is loaded: predictions answer 503." : $"Version {current.Version} keeps serving.");
        return false;
    }

    // One row of missing values through the compiled model: it must run and give finite scores.
    private static void Probe(TabularPredictor predictor, InputLayout inputs)
    {
        var numeric = new float[inputs.NumericCount];
        var categorical = Enumerable.Range(0, inputs.CategoricalCount).Select(inputs.MissingCategorical).ToArray();
        var scores = new float[predictor.Predictor.Tasks.Count];
        predictor.Predictor.Predict(numeric, categorical, scores);
        for (int t = 0; t < scores.Length; t++)
            if (!float.IsFinite(scores[t])) throw new InvalidDataException($"the model scores a row of missing values {scores[t]} for task '{predictor.Predictor.Tasks[t]}'.");
    }
}

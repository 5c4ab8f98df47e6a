using System.Text.Json;
using System.Text.Json.Serialization;
using Snr.Core.Checkpoints;
using Snr.Core.Serialization;
using Snr.Core.Training;

namespace Snr.Distributed;

/// <summary>
/// The training state of a data-parallel run, everything its next step depends on, in one safetensors file
/// (<see cref="FileName"/>): the weights under their parameter names, the optimiser's buffers as
/// <c>optimizer.{buffer}.{parameter}</c>, and in the metadata the steps completed and skipped, the optimiser's
/// per-parameter step counts and what the run was (model, training settings, workers, global batch, data).
/// The data order and the SNR gate noise are functions of the step, so they need no state of their own.
/// The file is replaced atomically and carries an integrity hash: a failed save leaves the previous checkpoint,
/// and a corrupt file, or one written by another run, is refused.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>The file in the checkpoint folder.</summary>
    public const string FileName = "training-state.safetensors";

    /// <summary>The format this version writes and reads.</summary>
    public const string Format = "snr-training-state-1";

    private const string MetadataKey = "snr.training-state";
    private const string BufferPrefix = "optimizer.";

    /// <summary>The checkpoint file in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>True when <paramref name="directory"/> holds a checkpoint file (valid or not).</summary>
    public static bool Exists(string directory) => File.Exists(PathIn(directory));

    /// <summary>Writes the coordinator's state after its <see cref="DataParallelCoordinator.CompletedSteps"/> steps into <paramref name="directory"/>, atomically.</summary>
    /// <exception cref="IOException">Writing failed; the checkpoint already in the folder is untouched.</exception>
    public static void Save(string directory, DataParallelJob job, DataParallelCoordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(coordinator);
        var optimizer = coordinator.Optimizer;
        var state = optimizer.SaveState();
        var tensors = new List<NamedTensor>();
        foreach (var p in optimizer.Parameters) tensors.Add(new NamedTensor(p.Name, p.Tensor.Shape.ToArray(), p.Tensor.Data.ToArray()));
        for (int b = 0; b < state.BufferNames.Count; b++)
            for (int i = 0; i < optimizer.Parameters.Count; i++)
                tensors.Add(new NamedTensor(BufferName(state.BufferNames[b], optimizer.Parameters[i].Name), optimizer.Parameters[i].Tensor.Shape.ToArray(), state.Buffers[b][i]));
        var document = new TrainingStateDocument(Format, coordinator.CompletedSteps, coordinator.SkippedSteps, state.Kind, state.Steps, RunOf(job));
        string json = JsonSerializer.Serialize(document, TrainingStateJson.Default.TrainingStateDocument);
        SafetensorsFile.Write(PathIn(directory), tensors, new Dictionary<string, string> { [MetadataKey] = json });
    }

    /// <summary>
    /// Loads the checkpoint in <paramref name="directory"/> into a new coordinator of <paramref name="job"/> (weights, optimiser
    /// state, step counters), after checking that it was written by the same run.
    /// </summary>
    /// <returns>The steps the checkpoint had completed: the next step to run.</returns>
    /// <exception cref="FileNotFoundException">There is no checkpoint in the folder.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, of another format, written by a run with another model, training settings, number of workers, global batch or data, or its tensors do not fit the model; the message says which. Nothing is changed.</exception>
    public static long Restore(string directory, DataParallelJob job, DataParallelCoordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(coordinator);
        string path = PathIn(directory);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' holds no training state ({FileName}).", path);
        var (tensors, metadata, _) = SafetensorsFile.Read(path);
        var document = ReadDocument(path, metadata);
        string? difference = Difference(document.Run, RunOf(job));
        if (difference is not null) throw new InvalidDataException($"{path} was written by another run: {difference}.");

        var optimizer = coordinator.Optimizer;
        var own = optimizer.SaveState();
        if (document.Optimizer != own.Kind || document.ParameterSteps.Length != optimizer.Parameters.Count || document.CompletedSteps < 0 || document.SkippedSteps < 0)
            throw new InvalidDataException($"{path}: the state is of a {document.Optimizer} optimiser over {document.ParameterSteps.Length} parameters; the run has {own.Kind} over {optimizer.Parameters.Count}.");
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var expected = new List<string>();
        var weights = new float[optimizer.Parameters.Count][];
        var buffers = new float[own.BufferNames.Count][][];
        for (int i = 0; i < optimizer.Parameters.Count; i++) weights[i] = Take(path, byName, optimizer.Parameters[i], optimizer.Parameters[i].Name, expected);
        for (int b = 0; b < buffers.Length; b++)
        {
            buffers[b] = new float[optimizer.Parameters.Count][];
            for (int i = 0; i < optimizer.Parameters.Count; i++)
                buffers[b][i] = Take(path, byName, optimizer.Parameters[i], BufferName(own.BufferNames[b], optimizer.Parameters[i].Name), expected);
        }
        var extra = byName.Keys.Except(expected, StringComparer.Ordinal).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"{path}: tensors the run does not have: {string.Join(", ", extra)}.");

        // Everything checked: only now does the coordinator change.
        optimizer.LoadState(own with { Steps = document.ParameterSteps, Buffers = buffers });
        for (int i = 0; i < weights.Length; i++) weights[i].CopyTo(optimizer.Parameters[i].Tensor.Data);
        coordinator.Resume(document.CompletedSteps, document.SkippedSteps);
        return document.CompletedSteps;
    }

    /// <summary>The steps the checkpoint in <paramref name="directory"/> had completed, read and checked as <see cref="Restore"/> reads it, without loading it into a run.</summary>
    /// <exception cref="FileNotFoundException">There is no checkpoint in the folder.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt or of another format.</exception>
    public static long CompletedSteps(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' holds no training state ({FileName}).", path);
        return ReadDocument(path, SafetensorsFile.Read(path).Metadata).CompletedSteps;
    }

    private static string BufferName(string buffer, string parameter) => $"{BufferPrefix}{buffer}.{parameter}";

    private static float[] Take(string path, Dictionary<string, NamedTensor> byName, Snr.Core.Modules.NamedParameter parameter, string name, List<string> expected)
    {
        expected.Add(name);
        if (!byName.TryGetValue(name, out var tensor)) throw new InvalidDataException($"{path}: the tensor '{name}' is missing.");
        int[] shape = parameter.Tensor.Shape.ToArray();
        if (!tensor.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"{path}: tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}]; the model needs [{string.Join(", ", shape)}].");
        if (tensor.Values.Any(v => !float.IsFinite(v))) throw new InvalidDataException($"{path}: tensor '{name}' holds a value that is not finite.");
        return tensor.Values;
    }

    private static TrainingStateDocument ReadDocument(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var document = MetadataDocument.Read(path, metadata, MetadataKey, TrainingStateJson.Default.TrainingStateDocument,
            "the training state", "the file is not a training state");
        if (document?.Run is null || document.ParameterSteps is null || document.Optimizer is null)
            throw new InvalidDataException($"{path}: the training state is incomplete.");
        if (document.Format != Format) throw new InvalidDataException($"{path}: format '{document.Format}' is not '{Format}', the one this version reads.");
        return document;
    }

    // What a run is, as far as its steps are concerned: the epochs and early stopping only say when it ends.
    private static RunIdentity RunOf(DataParallelJob job) => new(
        ConfigJson.Serialize(job.Model), ConfigJson.Serialize(job.Training with { Epochs = 1, EarlyStopping = null }), job.Workers, job.GlobalBatch, job.DataIdentity);

    private static string? Difference(RunIdentity saved, RunIdentity now) =>
        saved.Workers != now.Workers ? $"{saved.Workers} workers, this run has {now.Workers} (the data order depends on them)"
        : saved.GlobalBatch != now.GlobalBatch ? $"a global batch of {saved.GlobalBatch} rows, this run has {now.GlobalBatch}"
        : saved.Model != now.Model ? "another model configuration"
        : saved.Training != now.Training ? "other training settings (optimiser, loss weights, λ, clipping or seed)"
        : saved.Data != now.Data ? $"other data ('{saved.Data}', this run has '{now.Data}')"
        : null;
}

internal sealed record RunIdentity(string Model, string Training, int Workers, int GlobalBatch, string Data);

internal sealed record TrainingStateDocument(string Format, long CompletedSteps, long SkippedSteps, string Optimizer, long[] ParameterSteps, RunIdentity Run);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TrainingStateDocument))]
internal sealed partial class TrainingStateJson : JsonSerializerContext;

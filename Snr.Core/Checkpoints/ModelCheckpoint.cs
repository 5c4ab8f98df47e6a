using System.Text.Json;
using Snr.Core.Models;
using Snr.Core.Serialization;
using Snr.Core.Tabular;

namespace Snr.Core.Checkpoints;

/// <summary>
/// Saves and loads a trained model as a folder:
/// <list type="bullet">
/// <item><c>model.safetensors</c> — the weights under their dotted names, the hashes of the rows the
/// model was trained on (a <c>U8</c> tensor, <see cref="SeenRowHashesTensor"/>, when the preprocessing
/// records them), and in its metadata the <see cref="CheckpointDocument"/> (configuration, schema,
/// statistics), all covered by its integrity hash. This one file is the checkpoint: it is replaced atomically, so a crash
/// leaves the old model or the new one.</item>
/// <item><c>config.json</c> — the same document, indented, for people and scripts to read.
/// Loading does not depend on it. It is written from the document saved in the weights, after
/// them; should a save be killed between the two files, the next load or save rewrites it.</item>
/// </list>
/// Saves into one folder take turns through a lock file (<c>.snr-save.lock</c>), and a save
/// removes the temporary files that a killed save left. The weights file alone is a complete
/// checkpoint, which is what the <see cref="Stream"/> overloads write and read.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The weights file in a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The readable configuration in a checkpoint folder.</summary>
    public const string ConfigFile = "config.json";

    private const string DocumentKey = "snr.checkpoint";

    /// <summary>The tensor that holds the hashes of the rows a model was trained and validated on (see <see cref="TrainingDataIdentity"/>).</summary>
    public const string SeenRowHashesTensor = "training_data.seen_row_hashes";

    // How long a save waits for another process saving into the same folder.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Saves <paramref name="model"/> (and the preprocessing its inputs need, and where its data came from, if known) into <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">Writing failed, or another process kept saving into the folder for a minute; a checkpoint already in the folder is untouched.</exception>
    public static void Save(string directory, MultiTaskModel model, TabularPreprocessing? preprocessing = null, DataProvenance? data = null)
    {
        var (tensors, metadata, json, bytes) = Contents(model, preprocessing, data);
        Directory.CreateDirectory(directory);
        using var folderLock = FolderLock.Acquire(directory, LockTimeout);
        RemoveStaleTemporaries(directory);
        SafetensorsFile.Write(Path.Combine(directory, WeightsFile), tensors, metadata, bytes);
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), json);
    }

    /// <summary>Writes <paramref name="model"/> as one safetensors checkpoint (the <c>model.safetensors</c> of a folder) to <paramref name="destination"/>.</summary>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public static void Save(Stream destination, MultiTaskModel model, TabularPreprocessing? preprocessing = null, DataProvenance? data = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (tensors, metadata, _, bytes) = Contents(model, preprocessing, data);
        SafetensorsFile.Write(destination, tensors, metadata, bytes);
    }

    // The row hashes go into a tensor, once, rather than into the document (which the metadata and config.json both hold).
    private static (List<NamedTensor> Tensors, Dictionary<string, string> Metadata, string Json, List<ByteTensor> Bytes) Contents(
        MultiTaskModel model, TabularPreprocessing? preprocessing, DataProvenance? data)
    {
        ArgumentNullException.ThrowIfNull(model);
        var bytes = new List<ByteTensor>();
        if (preprocessing?.TrainingData is { } identity)
        {
            var (stored, hashes) = identity.ToStorage(SeenRowHashesTensor);
            preprocessing = preprocessing with { TrainingData = stored };
            bytes.Add(new ByteTensor(SeenRowHashesTensor, hashes));
        }
        string json = ConfigJson(new CheckpointDocument(CheckpointDocument.CurrentFormat, model.Config, preprocessing, data));
        var tensors = model.Parameters()
            .Select(p => new NamedTensor(p.Name, p.Tensor.Shape.ToArray(), p.Tensor.Data.ToArray()))
            .ToList();
        return (tensors, new Dictionary<string, string> { [DocumentKey] = json }, json, bytes);
    }

    /// <summary>The text of <c>config.json</c> for <paramref name="document"/> (the same JSON the weights file carries).</summary>
    internal static string ConfigJson(CheckpointDocument document) => JsonSerializer.Serialize(document, SnrJsonContext.Default.CheckpointDocument);

    // Temporaries of AtomicFile (".model.safetensors.<guid>.tmp") that a killed save left; only
    // called under the folder lock, when no save of ours is writing one.
    private static void RemoveStaleTemporaries(string directory)
    {
        foreach (string name in new[] { WeightsFile, ConfigFile })
            foreach (string stale in Directory.EnumerateFiles(directory, $".{name}.*.tmp")) AtomicFile.TryDelete(stale);
    }

    // config.json is a copy for people: when it is missing or says something other than the
    // weights (a save killed between the two files), rewrite it from the weights, under the lock,
    // if the folder is writable and no save is running; otherwise leave it.
    private static void RepairConfig(string directory)
    {
        string configPath = Path.Combine(directory, ConfigFile), weightsPath = Path.Combine(directory, WeightsFile);
        try
        {
            using var folderLock = FolderLock.TryAcquire(directory);
            if (folderLock is null) return;
            var (_, metadata, _) = SafetensorsFile.Read(weightsPath);
            string json = ConfigJson(ReadDocument(weightsPath, metadata));
            if (File.Exists(configPath) && File.ReadAllText(configPath) == json) return;
            RemoveStaleTemporaries(directory);
            AtomicFile.WriteAllText(configPath, json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // A read-only folder, or a weights file replaced by something unreadable since it was loaded: loading already succeeded.
        }
    }

    /// <summary>Loads a checkpoint folder saved by <see cref="Save(string, MultiTaskModel, TabularPreprocessing?, DataProvenance?)"/>, validating everything.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>model.safetensors</c>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is corrupt, its document is missing or invalid, or the weights do not match
    /// the configuration (missing, extra or mis-shaped tensors); the message says which.
    /// </exception>
    public static (MultiTaskModel Model, TabularPreprocessing? Preprocessing) Load(string directory)
    {
        var (model, document) = LoadWithDocument(directory);
        return (model, document.Preprocessing);
    }

    /// <summary>Loads a checkpoint folder like <see cref="Load(string)"/>, returning its whole document (provenance included).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>model.safetensors</c>.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is invalid (see <see cref="Load(string)"/>).</exception>
    public static (MultiTaskModel Model, CheckpointDocument Document) LoadWithDocument(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"There is no model folder '{directory}'.");
        string path = Path.Combine(directory, WeightsFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' has no {WeightsFile}: not a model folder.", path);
        var (tensors, metadata, bytes) = SafetensorsFile.Read(path);
        var loaded = Build(path, tensors, metadata, bytes);
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath) || File.ReadAllText(configPath) != metadata[DocumentKey]) RepairConfig(directory);
        return loaded;
    }

    /// <summary>Loads a checkpoint written by <see cref="Save(Stream, MultiTaskModel, TabularPreprocessing?, DataProvenance?)"/> (or a folder's <c>model.safetensors</c>) from <paramref name="source"/>, validating everything.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is invalid (see <see cref="Load(string)"/>).</exception>
    public static (MultiTaskModel Model, CheckpointDocument Document) LoadWithDocument(Stream source)
    {
        const string name = "the checkpoint stream";
        IReadOnlyList<NamedTensor> tensors;
        IReadOnlyDictionary<string, string> metadata;
        IReadOnlyList<ByteTensor> bytes;
        try
        {
            (tensors, metadata, bytes) = SafetensorsFile.Read(source);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
        return Build(name, tensors, metadata, bytes);
    }

    /// <summary>Loads a checkpoint from <paramref name="source"/> like <see cref="LoadWithDocument(Stream)"/>, returning the model and its preprocessing.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is invalid (see <see cref="Load(string)"/>).</exception>
    public static (MultiTaskModel Model, TabularPreprocessing? Preprocessing) Load(Stream source)
    {
        var (model, document) = LoadWithDocument(source);
        return (model, document.Preprocessing);
    }

    // The model a checkpoint's tensors and metadata describe; `source` names the file or stream in messages.
    private static (MultiTaskModel Model, CheckpointDocument Document) Build(string source, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<ByteTensor> bytes)
    {
        var document = WithRowHashes(source, ReadDocument(source, metadata), bytes);
        MultiTaskModel model;
        try
        {
            model = ModelFactory.Create(document.Model);
        }
        catch (Exception e) when (e is ArgumentException or ConfigException)
        {
            throw new InvalidDataException($"{source}: the model configuration is invalid: {e.Message}", e);
        }
        LoadWeights(source, model, tensors);
        return (model, document);
    }

    // The document with its training-data identity's row hashes attached, from the tensor it names
    // (or, in an older checkpoint, its own base64); a byte tensor that nothing names is refused.
    private static CheckpointDocument WithRowHashes(string source, CheckpointDocument document, IReadOnlyList<ByteTensor> bytes)
    {
        var unclaimed = bytes.ToDictionary(b => b.Name, b => b.Data);
        if (document.Preprocessing is { TrainingData: { } identity } preprocessing)
        {
            try
            {
                identity = identity.WithStoredHashes(name => unclaimed.Remove(name, out var data) ? data : null);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{source}: {e.Message}", e);
            }
            document = document with { Preprocessing = preprocessing with { TrainingData = identity } };
        }
        if (unclaimed.Count > 0)
            throw new InvalidDataException($"{source}: the file holds byte tensors that the checkpoint does not use: {string.Join(", ", unclaimed.Keys)}.");
        return document;
    }

    private static CheckpointDocument ReadDocument(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var document = MetadataDocument.Read(path, metadata, DocumentKey, SnrJsonContext.Default.CheckpointDocument,
            "the model configuration", "the file holds weights but no model configuration");
        if (document is null || document.Model is null)
            throw new InvalidDataException($"{path}: the checkpoint document has no model configuration.");
        if (document.Format != CheckpointDocument.CurrentFormat)
            throw new InvalidDataException($"{path}: format '{document.Format}' is not '{CheckpointDocument.CurrentFormat}', the one this version reads.");
        try
        {
            document.Model.Validate();
            document.Preprocessing?.Schema.Validate();
        }
        catch (Exception e) when (e is ArgumentException or ConfigException)
        {
            throw new InvalidDataException($"{path}: the model configuration is invalid: {e.Message}", e);
        }
        return document;
    }

    // Every parameter of the configured model must be in the file with its exact shape, and nothing else.
    private static void LoadWeights(string path, MultiTaskModel model, IReadOnlyList<NamedTensor> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name);
        var parameters = model.Parameters();
        var missing = parameters.Where(p => !byName.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        var extra = byName.Keys.Except(parameters.Select(p => p.Name)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidDataException($"{path}: the weights do not match the configuration." +
                (missing.Count > 0 ? $" Missing: {string.Join(", ", missing)}." : "") +
                (extra.Count > 0 ? $" Not in the model: {string.Join(", ", extra)}." : ""));
        foreach (var p in parameters)
        {
            var t = byName[p.Name];
            int[] expected = p.Tensor.Shape.ToArray();
            if (!t.Shape.SequenceEqual(expected))
                throw new InvalidDataException($"{path}: tensor '{p.Name}' has shape [{string.Join(", ", t.Shape)}] but the configuration needs [{string.Join(", ", expected)}].");
            if (t.Values.Any(v => !float.IsFinite(v)))
                throw new InvalidDataException($"{path}: tensor '{p.Name}' holds a value that is not finite.");
            t.Values.CopyTo(p.Tensor.Data);
        }
    }
}

using System.Text.Json;
using Snr.Core.Models;
using Snr.Core.Tabular;

namespace Snr.Core.Checkpoints;

/// <summary>
/// Saves and loads a trained model as a folder:
/// <list type="bullet">
/// <item><c>model.safetensors</c> — the weights under their dotted names, and in its metadata the
/// <see cref="CheckpointDocument"/> (configuration, schema, statistics), all covered by its
/// integrity hash. This one file is the checkpoint: it is replaced atomically, so a crash
/// leaves the old model or the new one.</item>
/// <item><c>config.json</c> — the same document, indented, for people and scripts to read.
/// Loading does not depend on it.</item>
/// </list>
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The weights file in a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The readable configuration in a checkpoint folder.</summary>
    public const string ConfigFile = "config.json";

    private const string DocumentKey = "snr.checkpoint";

    /// <summary>Saves <paramref name="model"/> (and the preprocessing its inputs need, and where its data came from, if known) into <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">Writing failed; a checkpoint already in the folder is untouched.</exception>
    public static void Save(string directory, MultiTaskModel model, TabularPreprocessing? preprocessing = null, DataProvenance? data = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var document = new CheckpointDocument(CheckpointDocument.CurrentFormat, model.Config, preprocessing, data);
        string json = JsonSerializer.Serialize(document, CheckpointJsonContext.Default.CheckpointDocument);
        var tensors = model.Parameters()
            .Select(p => new NamedTensor(p.Name, p.Tensor.Shape.ToArray(), p.Tensor.Data.ToArray()))
            .ToList();
        Directory.CreateDirectory(directory);
        SafetensorsFile.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { [DocumentKey] = json });
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), json);
    }

    /// <summary>Loads a checkpoint folder saved by <see cref="Save"/>, validating everything.</summary>
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

    /// <summary>Loads a checkpoint folder like <see cref="Load"/>, returning its whole document (provenance included).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>model.safetensors</c>.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is invalid (see <see cref="Load"/>).</exception>
    public static (MultiTaskModel Model, CheckpointDocument Document) LoadWithDocument(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"There is no model folder '{directory}'.");
        string path = Path.Combine(directory, WeightsFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' has no {WeightsFile}: not a model folder.", path);
        var (tensors, metadata) = SafetensorsFile.Read(path);
        var document = ReadDocument(path, metadata);

        MultiTaskModel model;
        try
        {
            model = ModelFactory.Create(document.Model);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: the model configuration is invalid: {e.Message}", e);
        }
        LoadWeights(path, model, tensors);
        return (model, document);
    }

    private static CheckpointDocument ReadDocument(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(DocumentKey, out var json))
            throw new InvalidDataException($"{path}: the metadata has no '{DocumentKey}' entry; the file holds weights but no model configuration.");
        CheckpointDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, CheckpointJsonContext.Default.CheckpointDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the model configuration is not valid JSON ({e.Message}).", e);
        }
        if (document is null || document.Model is null)
            throw new InvalidDataException($"{path}: the checkpoint document has no model configuration.");
        if (document.Format != CheckpointDocument.CurrentFormat)
            throw new InvalidDataException($"{path}: format '{document.Format}' is not '{CheckpointDocument.CurrentFormat}', the one this version reads.");
        try
        {
            document.Model.Validate();
            document.Preprocessing?.Schema.Validate();
        }
        catch (ArgumentException e)
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

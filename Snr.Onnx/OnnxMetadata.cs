using System.Reflection;
using System.Text;
using System.Text.Json;
using Onnx;
using Snr.Core.Checkpoints;
using Snr.Core.Models;
using Snr.Core.Serialization;
using Snr.Core.Tabular;

namespace Snr.Onnx;

/// <summary>
/// The <c>metadata_props</c> of an exported model, so that a file says what it is without Snr:
/// the Snr version, the model kind and configuration, the tasks, the input form, the schema
/// with its statistics and vocabularies, and the serving cost.
/// </summary>
public static class OnnxMetadata
{
    /// <summary>The Snr version that wrote the file.</summary>
    public const string SnrVersion = "snr.version";

    /// <summary>The model kind as <c>snr train --model</c> names it (<c>snr-trans</c>, <c>mmoe</c>, …).</summary>
    public const string ModelKind = "snr.model_kind";

    /// <summary>The model configuration, JSON as in a checkpoint's <c>config.json</c>.</summary>
    public const string ModelConfig = "snr.model";

    /// <summary>The tasks in output order, JSON: [{"name", "kind", "output"}], output being probability or value.</summary>
    public const string Tasks = "snr.tasks";

    /// <summary><c>encoded</c> or <c>raw</c>.</summary>
    public const string Inputs = "snr.inputs";

    /// <summary>The schema, statistics and vocabularies raw rows go through, JSON; absent for a model trained on ready features.</summary>
    public const string Preprocessing = "snr.preprocessing";

    /// <summary>Floating-point operations per row of the pruned serving graph (a multiply-add counts 2), as the Snr predictor reports them.</summary>
    public const string ServingFlopsPerRow = "snr.serving_flops_per_row";

    internal static IEnumerable<StringStringEntryProto> Of(MultiTaskModel model, TabularPreprocessing? preprocessing, OnnxInputForm inputs, long flopsPerRow)
    {
        yield return Entry(SnrVersion, Version);
        yield return Entry(ModelKind, model.Config.KindName);
        yield return Entry(ModelConfig, ConfigJson.Serialize(model.Config));
        yield return Entry(Tasks, TasksJson(model.Tasks));
        yield return Entry(Inputs, inputs == OnnxInputForm.Raw ? "raw" : "encoded");
        if (preprocessing is not null)
            // Without the training rows' identities: they serve evaluation, not scoring, and would outweigh the model.
            yield return Entry(Preprocessing, JsonSerializer.Serialize(preprocessing with { TrainingData = null }, SnrJsonContext.Default.TabularPreprocessing));
        yield return Entry(ServingFlopsPerRow, flopsPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The version of Snr.Core, the library whose model is exported.</summary>
    internal static string Version { get; } =
        typeof(MultiTaskModel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(MultiTaskModel).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static string TasksJson(IReadOnlyList<TaskConfig> tasks)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var task in tasks)
            {
                json.WriteStartObject();
                json.WriteString("name", task.Name);
                json.WriteString("kind", task.Kind == TaskKind.Binary ? "binary" : "regression");
                json.WriteString("output", task.Kind == TaskKind.Binary ? "probability" : "value");
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}

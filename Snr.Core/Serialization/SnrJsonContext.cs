using System.Text.Json;
using System.Text.Json.Serialization;
using Snr.Core.Checkpoints;
using Snr.Core.Models;
using Snr.Core.Training;

namespace Snr.Core.Serialization;

/// <summary>
/// The source-generated System.Text.Json metadata for Snr's configurations and checkpoint documents (no
/// reflection, so the library stays trimming- and AOT-compatible). Field names are snake_case, enums strings.
/// </summary>
/// <remarks>
/// The configuration records use settable properties, not <c>init</c>: the source generator
/// sets every init-only property when it constructs an object, so a field missing from the JSON
/// would get default(T) (β = 0, a null array) instead of the record's default value.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelConfig))]
[JsonSerializable(typeof(TrainingConfig))]
[JsonSerializable(typeof(CheckpointDocument))]
public sealed partial class SnrJsonContext : JsonSerializerContext;

/// <summary>Reads and writes configurations as JSON, validating what it reads.</summary>
public static class ConfigJson
{
    /// <summary>The model configuration as indented snake_case JSON, with a <c>"kind"</c> field.</summary>
    public static string Serialize(ModelConfig config) => JsonSerializer.Serialize(config, SnrJsonContext.Default.ModelConfig);

    /// <summary>The training configuration as indented snake_case JSON.</summary>
    public static string Serialize(TrainingConfig config) => JsonSerializer.Serialize(config, SnrJsonContext.Default.TrainingConfig);

    /// <summary>Parses and validates a model configuration.</summary>
    /// <exception cref="JsonException">Malformed JSON or an unknown <c>"kind"</c>.</exception>
    /// <exception cref="ConfigException">A field is invalid.</exception>
    public static ModelConfig DeserializeModel(string json)
    {
        var config = JsonSerializer.Deserialize(json, SnrJsonContext.Default.ModelConfig) ?? throw new JsonException("The JSON is null.");
        config.Validate();
        return config;
    }

    /// <summary>Parses a training configuration (validate it against its model with <see cref="TrainingConfig.Validate"/>).</summary>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static TrainingConfig DeserializeTraining(string json) =>
        JsonSerializer.Deserialize(json, SnrJsonContext.Default.TrainingConfig) ?? throw new JsonException("The JSON is null.");
}

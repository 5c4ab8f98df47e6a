using System.Text.Json;
using System.Text.Json.Serialization;
using Snr.Core.Models;
using Snr.Core.Training;

namespace Snr.Core.Serialization;

/// <summary>
/// A whole run in one file, as <c>snr train --config FILE.json</c> reads it and <c>snr config</c> writes it:
/// the model (the same JSON a checkpoint's <c>config.json</c> stores under <c>"model"</c>) and how to train it.
/// </summary>
public sealed record RunConfig
{
    /// <summary>The model, or null to use the default model of the command line's <c>--model</c> kind.</summary>
    public ModelConfig? Model { get; set; }

    /// <summary>How to train it.</summary>
    public TrainingConfig Training { get; set; } = new();

    /// <summary>The run as indented snake_case JSON.</summary>
    public static string Serialize(RunConfig config) => JsonSerializer.Serialize(config, RunConfigJsonContext.Default.RunConfig);

    /// <summary>Parses a run; fields it does not know are refused (a misspelt field would otherwise be silently ignored).</summary>
    /// <exception cref="JsonException">Malformed JSON, an unknown field or an unknown <c>"kind"</c>; the message names the JSON path.</exception>
    public static RunConfig Deserialize(string json)
    {
        var config = JsonSerializer.Deserialize(json, RunConfigJsonContext.Default.RunConfig) ?? throw new JsonException("The JSON is null.");
        config.Training ??= new TrainingConfig();
        return config;
    }
}

/// <summary>Source-generated JSON for <see cref="RunConfig"/> (the options of <see cref="SnrJsonContext"/>, unknown fields refused).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunConfig))]
public sealed partial class RunConfigJsonContext : JsonSerializerContext;

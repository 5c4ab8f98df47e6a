using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Snr.Core.Checkpoints;

/// <summary>A JSON document stored under one key of a safetensors file's metadata (a checkpoint's, a training state's).</summary>
internal static class MetadataDocument
{
    /// <summary>
    /// Deserialises the entry <paramref name="key"/> of <paramref name="metadata"/>; null when the JSON is <c>null</c>.
    /// Errors name <paramref name="path"/>: a missing entry ends with <paramref name="whenMissing"/>, JSON that does not
    /// parse says that <paramref name="what"/> is not valid JSON.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is missing or is not valid JSON for <typeparamref name="T"/>.</exception>
    public static T? Read<T>(string path, IReadOnlyDictionary<string, string> metadata, string key, JsonTypeInfo<T> type, string what, string whenMissing)
        where T : class
    {
        if (!metadata.TryGetValue(key, out var json))
            throw new InvalidDataException($"{path}: the metadata has no '{key}' entry; {whenMissing}.");
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {what} is not valid JSON ({e.Message}).", e);
        }
    }
}

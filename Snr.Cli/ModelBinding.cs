namespace Snr.Cli;

/// <summary>Fits a model configuration from a file to the data it will train on.</summary>
internal static class ModelBinding
{
    /// <summary>
    /// The configuration with the data's input width, embeddings and tasks where the file leaves them
    /// out (0, null or empty) and the run's seed; a field the file gives that contradicts the data is refused.
    /// </summary>
    /// <exception cref="ConfigException">A field contradicts the data or is invalid; the field is named as <c>model.…</c>.</exception>
    public static ModelConfig Bind(ModelConfig config, LoadedData data, ulong seed)
    {
        var embeddings = data.Encoder?.EmbeddingConfig();
        int numericInputs = data.Train.NumericCount;
        if (config.NumericInputs != 0 && config.NumericInputs != numericInputs)
            throw new ConfigException("model.numeric_inputs", $"the file says {config.NumericInputs}, the data {data.Name} has {numericInputs} numeric inputs (leave it out to take the data's)");
        if (config.Tasks.Length > 0 && !config.Tasks.Select(t => (t.Name, t.Kind)).SequenceEqual(data.Tasks.Select(t => (t.Name, t.Kind))))
            throw new ConfigException("model.tasks", $"the file names {string.Join(", ", config.Tasks.Select(t => t.Name))}, the data {data.Name} has {string.Join(", ", data.Tasks.Select(t => t.Name))} (leave it out to take the data's)");
        // The vocabularies (cardinalities) come from each run's training split; the file may choose the embedding widths.
        if (config.Embeddings is { } fileEmbeddings && embeddings is not null)
        {
            if (fileEmbeddings.Dims.Length != embeddings.Dims.Length)
                throw new ConfigException("model.embeddings.dims", $"the file gives {fileEmbeddings.Dims.Length} widths, {data.Name} has {embeddings.Dims.Length} categorical columns (leave embeddings out to take the data's)");
            embeddings = embeddings with { Dims = fileEmbeddings.Dims };
        }
        else if (config.Embeddings is not null)
        {
            throw new ConfigException("model.embeddings", $"{data.Name} has no categorical columns (leave embeddings out)");
        }
        var bound = config with { NumericInputs = numericInputs, Tasks = data.Tasks, Seed = seed, Embeddings = embeddings };
        try
        {
            bound.Validate();
        }
        catch (ConfigException e)
        {
            throw new ConfigException("model." + e.Field, e.Problem);
        }
        return bound;
    }
}

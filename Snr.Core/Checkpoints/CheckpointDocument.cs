using Snr.Core.Models;
using Snr.Core.Tabular;

namespace Snr.Core.Checkpoints;

/// <summary>
/// What a checkpoint says about its weights: the model configuration and, for a model
/// trained on tabular data, the schema and the statistics that turn raw rows into inputs.
/// </summary>
/// <param name="Format">The checkpoint format; <see cref="CurrentFormat"/>.</param>
/// <param name="Model">The model configuration the weights belong to.</param>
/// <param name="Preprocessing">The fitted schema, vocabularies and standardisation, or null for a model trained on ready features.</param>
/// <param name="Data">Where the training data came from and how it was split, so the test rows can be found again; null when unknown.</param>
public sealed record CheckpointDocument(string Format, ModelConfig Model, TabularPreprocessing? Preprocessing, DataProvenance? Data = null)
{
    /// <summary>The format this version writes and reads.</summary>
    public const string CurrentFormat = "snr-checkpoint-1";
}

/// <summary>The data a model was trained on: a name (<c>census</c>, a file path, …) and the seeded split.</summary>
/// <param name="Source">The data set's name or file.</param>
/// <param name="Seed">The seed of the train/validation/test split.</param>
/// <param name="Train">The training fraction.</param>
/// <param name="Validation">The validation fraction (the rest is the test set).</param>
/// <param name="TestFile">The separate test file, when the data came as files by role (then <paramref name="Source"/> is the training file and the fractions split it into training and validation rows); null for a split of one data set.</param>
public sealed record DataProvenance(string Source, ulong Seed, double Train, double Validation, string? TestFile = null);

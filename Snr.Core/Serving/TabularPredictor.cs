using Snr.Core.Checkpoints;
using Snr.Core.Tabular;

namespace Snr.Core.Serving;

/// <summary>
/// A <see cref="Predictor"/> with the schema and statistics it was trained with, so it scores
/// raw rows (text values by column name) by itself.
/// </summary>
public sealed class TabularPredictor
{
    /// <summary>Pairs a compiled predictor with its fitted encoder.</summary>
    /// <exception cref="ArgumentException">The encoder's inputs do not match the predictor's.</exception>
    public TabularPredictor(Predictor predictor, TabularEncoder encoder)
    {
        if (predictor.NumericInputs != encoder.NumericCount || predictor.CategoricalInputs != encoder.Cardinalities.Count)
            throw new ArgumentException($"The schema has {encoder.NumericCount} numeric and {encoder.Cardinalities.Count} categorical inputs; the model {predictor.NumericInputs} and {predictor.CategoricalInputs}.");
        Predictor = predictor;
        Encoder = encoder;
    }

    /// <summary>Loads a checkpoint folder saved with its preprocessing and compiles it for the given tasks (all when null).</summary>
    /// <exception cref="InvalidDataException">The checkpoint is invalid, or has no preprocessing (it was trained on ready features).</exception>
    public static TabularPredictor Load(string directory, IEnumerable<string>? tasks = null, PredictorOptions? options = null)
    {
        var (model, preprocessing) = ModelCheckpoint.Load(directory);
        if (preprocessing is null)
            throw new InvalidDataException($"{directory}: the model was trained on ready features and has no schema to read raw rows with.");
        return new TabularPredictor(Predictor.Compile(model, tasks, options), new TabularEncoder(preprocessing));
    }

    /// <summary>The compiled model.</summary>
    public Predictor Predictor { get; }

    /// <summary>The schema and statistics raw rows go through.</summary>
    public TabularEncoder Encoder { get; }

    /// <summary>Scores every row of <paramref name="table"/>: [rows, tasks], probabilities for binary tasks.</summary>
    /// <exception cref="CsvFormatException">A numeric input is not a number (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The table lacks an input column.</exception>
    public float[] Score(RawTable table)
    {
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        var (numeric, categorical) = Encoder.EncodeInputs(table, rows);
        var outputs = new float[rows.Length * Predictor.Tasks.Count];
        Predictor.Predict(numeric, categorical, outputs);
        return outputs;
    }

    /// <summary>Scores one raw row given as text values by column name (absent columns count as missing).</summary>
    /// <exception cref="FormatException">A numeric input is not a number; the message names the column.</exception>
    public float[] Score(IReadOnlyDictionary<string, string> row)
    {
        var numeric = new float[Encoder.NumericCount];
        var categorical = new int[Encoder.Cardinalities.Count];
        Encoder.EncodeRow(name => row.TryGetValue(name, out var v) ? v : null, numeric, categorical);
        var outputs = new float[Predictor.Tasks.Count];
        Predictor.Predict(numeric, categorical, outputs);
        return outputs;
    }
}

using System.Buffers;
using Snr.Core.Checkpoints;
using Snr.Core.Tabular;

namespace Snr.Core.Serving;

/// <summary>
/// A <see cref="Predictor"/> with the schema and statistics it was trained with, so it scores
/// raw rows (text values by column name) by itself.
/// </summary>
public sealed class TabularPredictor
{
    // Rows with at most this many inputs encode into stack memory; wider ones rent their scratch.
    private const int StackInputs = 256;

    /// <summary>Pairs a compiled predictor with its fitted encoder.</summary>
    /// <param name="predictor">The compiled model.</param>
    /// <param name="encoder">The schema and statistics it was trained with.</param>
    /// <param name="allowUnknownColumns">Whether a scored row may hold keys that are not columns of the schema (by default they are an error, since a misspelled key would silently read as a missing value).</param>
    /// <exception cref="ArgumentException">The encoder's inputs do not match the predictor's.</exception>
    public TabularPredictor(Predictor predictor, TabularEncoder encoder, bool allowUnknownColumns = false)
    {
        if (predictor.NumericInputs != encoder.NumericCount || predictor.CategoricalInputs != encoder.Cardinalities.Count)
            throw new ArgumentException($"The schema has {encoder.NumericCount} numeric and {encoder.Cardinalities.Count} categorical inputs; the model {predictor.NumericInputs} and {predictor.CategoricalInputs}.");
        Predictor = predictor;
        Encoder = encoder;
        AllowUnknownColumns = allowUnknownColumns;
    }

    /// <summary>Loads a checkpoint folder saved with its preprocessing and compiles it for the given tasks (all when null).</summary>
    /// <exception cref="InvalidDataException">The checkpoint is invalid, or has no preprocessing (it was trained on ready features).</exception>
    public static TabularPredictor Load(string directory, IEnumerable<string>? tasks = null, PredictorOptions? options = null, bool allowUnknownColumns = false)
    {
        var (model, preprocessing) = ModelCheckpoint.Load(directory);
        if (preprocessing is null)
            throw new InvalidDataException($"{directory}: the model was trained on ready features and has no schema to read raw rows with.");
        return new TabularPredictor(Predictor.Compile(model, tasks, options), new TabularEncoder(preprocessing), allowUnknownColumns);
    }

    /// <summary>The compiled model.</summary>
    public Predictor Predictor { get; }

    /// <summary>The schema and statistics raw rows go through.</summary>
    public TabularEncoder Encoder { get; }

    /// <summary>Whether a scored row may hold keys that are not columns of the schema.</summary>
    public bool AllowUnknownColumns { get; }

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

    /// <summary>
    /// Scores one raw row given as text values by column name: a new array of one score per
    /// task (see <see cref="Score(IReadOnlyDictionary{string, string}, Span{float})"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A key is not a column of the schema (unless <see cref="AllowUnknownColumns"/>); the message names it and any near miss.</exception>
    /// <exception cref="FormatException">A numeric input is not a number; the message names the column.</exception>
    public float[] Score(IReadOnlyDictionary<string, string> row)
    {
        var outputs = new float[Predictor.Tasks.Count];
        Score(row, outputs);
        return outputs;
    }

    /// <summary>
    /// Scores one raw row given as text values by column name into <paramref name="scores"/>
    /// (one per task, in <see cref="Predictor.Tasks"/> order: a probability for a binary task),
    /// without allocating. A column absent from the row is a missing value, like <c>?</c> and
    /// the empty field (see <see cref="TabularSchema"/> for the missing-value policy).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scores"/> does not have one element per task, or a key is not a column of the schema (unless <see cref="AllowUnknownColumns"/>); the message names it and any near miss.</exception>
    /// <exception cref="FormatException">A numeric input is not a number; the message names the column.</exception>
    public void Score(IReadOnlyDictionary<string, string> row, Span<float> scores)
    {
        if (scores.Length != Predictor.Tasks.Count)
            throw new ArgumentException($"scores has {scores.Length} elements; the predictor has {Predictor.Tasks.Count} tasks.", nameof(scores));
        int numericCount = Encoder.NumericCount, categoricalCount = Predictor.CategoricalInputs;
        float[]? rentedNumeric = numericCount > StackInputs ? ArrayPool<float>.Shared.Rent(numericCount) : null;
        int[]? rentedCategorical = categoricalCount > StackInputs ? ArrayPool<int>.Shared.Rent(categoricalCount) : null;
        try
        {
            Span<float> numeric = rentedNumeric is null ? stackalloc float[numericCount] : rentedNumeric.AsSpan(0, numericCount);
            Span<int> categorical = rentedCategorical is null ? stackalloc int[categoricalCount] : rentedCategorical.AsSpan(0, categoricalCount);
            Encoder.EncodeRow(row, numeric, categorical, AllowUnknownColumns);
            Predictor.Predict(numeric, categorical, scores);
        }
        finally
        {
            if (rentedNumeric is not null) ArrayPool<float>.Shared.Return(rentedNumeric);
            if (rentedCategorical is not null) ArrayPool<int>.Shared.Return(rentedCategorical);
        }
    }
}

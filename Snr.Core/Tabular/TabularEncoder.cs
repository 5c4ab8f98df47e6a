using System.Globalization;
using System.Text.Json.Serialization;
using Snr.Core.Models;

namespace Snr.Core.Tabular;

/// <summary>Mean and standard deviation of a numeric input over the training split.</summary>
public sealed record NumericColumnStats(string Name, float Mean, float Std);

/// <summary>The levels of a categorical input seen in the training split. Embedding row 0 is "unknown"; row i + 1 is <c>Levels[i]</c>.</summary>
public sealed record CategoricalVocabulary(string Name, IReadOnlyList<string> Levels)
{
    /// <summary>Rows of the column's embedding table: the levels plus the unknown slot.</summary>
    public int Cardinality => Levels.Count + 1;

    /// <summary>What the <see cref="VocabularyLimits"/> sent to the unknown slot when the vocabulary was fitted; null in checkpoints saved before it was recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UnknownValues? Unknown { get; init; }
}

/// <summary>
/// The training values of a categorical input that its <see cref="VocabularyLimits"/> left out of
/// the vocabulary (too rare, or beyond the most frequent <see cref="VocabularyLimits.MaxSize"/>),
/// so that they encode as the unknown slot 0.
/// </summary>
/// <param name="Levels">Distinct values left out.</param>
/// <param name="Rows">Training rows holding one of them.</param>
/// <param name="Exact">
/// True when every value was counted. False when a streaming count had to forget rare values
/// (a column of more than <see cref="VocabularyLimits.CounterCapacity"/> distinct values): then
/// <paramref name="Levels"/> is a lower bound (forgotten values are not counted) and
/// <paramref name="Rows"/> an upper bound (a kept value's rows before it was forgotten count as left out).
/// </param>
public sealed record UnknownValues(int Levels, long Rows, bool Exact = true);

/// <summary>Everything needed to turn raw rows into model inputs; saved beside a model so it scores raw rows by itself.</summary>
/// <param name="Schema">The columns and tasks.</param>
/// <param name="Numeric">Standardisation of each numeric input.</param>
/// <param name="Categorical">Vocabulary of each categorical input.</param>
/// <param name="TrainingData">Which rows, by content, the statistics (and so the model) were fitted on; null in checkpoints saved before it was recorded.</param>
public sealed record TabularPreprocessing(TabularSchema Schema, IReadOnlyList<NumericColumnStats> Numeric, IReadOnlyList<CategoricalVocabulary> Categorical,
    TrainingDataIdentity? TrainingData = null)
{
    /// <summary>The limits the vocabularies were fitted under; null in checkpoints saved before they were recorded.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VocabularyLimits? VocabularyLimits { get; init; }

    /// <summary>
    /// One line for the limits and one per categorical input: its levels and what went to the
    /// unknown slot (for example <c>city: 5,000 levels; 120 values in 340 training rows to unknown</c>).
    /// Empty when there is no categorical input, or, with <paramref name="onlyLossy"/>, when no value went to unknown
    /// (then only the inputs that lost values are listed).
    /// </summary>
    public IReadOnlyList<string> DescribeVocabularies(bool onlyLossy = false)
    {
        var described = onlyLossy ? Categorical.Where(v => v.Unknown is { Levels: > 0 } or { Exact: false }).ToList() : Categorical;
        if (described.Count == 0) return [];
        var lines = new List<string>
        {
            VocabularyLimits is { } limits
                ? string.Create(CultureInfo.InvariantCulture, $"Vocabularies (at most {limits.MaxSize:N0} levels a column, each seen in at least {limits.MinCount:N0} training row{(limits.MinCount == 1 ? "" : "s")}; other values encode as unknown):")
                : "Vocabularies (limits not recorded):",
        };
        foreach (var vocabulary in described)
        {
            string unknown = vocabulary.Unknown switch
            {
                null => "",
                { Levels: 0, Exact: true } => "; none to unknown",
                { Exact: true } u => string.Create(CultureInfo.InvariantCulture, $"; {u.Levels:N0} value{(u.Levels == 1 ? "" : "s")} in {u.Rows:N0} training row{(u.Rows == 1 ? "" : "s")} to unknown"),
                var u => string.Create(CultureInfo.InvariantCulture, $"; at least {u.Levels:N0} values in at most {u.Rows:N0} training rows to unknown (approximate: too many distinct values to count exactly)"),
            };
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{vocabulary.Name}: {vocabulary.Levels.Count:N0} level{(vocabulary.Levels.Count == 1 ? "" : "s")}{unknown}"));
        }
        return lines;
    }
}

/// <summary>
/// Turns raw rows into model inputs: numeric inputs standardised, categorical inputs
/// mapped to embedding rows, labels per task. Fitted on the training split only, so nothing
/// about validation or test rows leaks into the inputs.
/// </summary>
public sealed class TabularEncoder
{
    private readonly Dictionary<string, int>[] _vocabularies;
    private readonly int[] _missingSlots;
    private readonly string[] _knownColumns;

    /// <summary>Wraps fitted statistics (for example, loaded from a checkpoint).</summary>
    public TabularEncoder(TabularPreprocessing preprocessing)
    {
        Preprocessing = preprocessing;
        _vocabularies = preprocessing.Categorical
            .Select(v => v.Levels.Select((level, i) => (level, i)).ToDictionary(p => p.level, p => p.i + 1))
            .ToArray();
        // Older checkpoints may hold "" or "?" (or both) as levels: the first one found is the missing slot.
        _missingSlots = preprocessing.Categorical
            .Select(v => v.Levels.Select((level, i) => (level, i)).Where(p => TabularSchema.IsMissing(p.level)).Select(p => p.i + 1).FirstOrDefault())
            .ToArray();
        _knownColumns = [.. preprocessing.Schema.Columns.Select(c => c.Name)];
    }

    /// <summary>The fitted statistics.</summary>
    public TabularPreprocessing Preprocessing { get; }

    /// <summary>The number of numeric inputs.</summary>
    public int NumericCount => Preprocessing.Numeric.Count;

    /// <summary>The embedding-table size of each categorical input.</summary>
    public IReadOnlyList<int> Cardinalities => Preprocessing.Categorical.Select(v => v.Cardinality).ToArray();

    /// <summary>
    /// Fits the statistics on <paramref name="trainRows"/> of <paramref name="table"/>: mean and
    /// standard deviation of each numeric input (a constant column gets deviation 1, so it
    /// encodes as 0), the vocabulary of each categorical input in order of first appearance,
    /// within <paramref name="limits"/> (default <see cref="VocabularyLimits.Default"/>).
    /// </summary>
    /// <remarks>The rows' content is recorded (<see cref="TabularPreprocessing.TrainingData"/>) so that an evaluation can leave them out.</remarks>
    /// <exception cref="ArgumentException">The schema is invalid or names a column the table lacks.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A vocabulary limit is not positive.</exception>
    /// <exception cref="CsvFormatException">A numeric column holds text that is not a number.</exception>
    /// <exception cref="InvalidDataException">A binary task's labels over <paramref name="trainRows"/> are all one class (see <see cref="CheckLabels"/>).</exception>
    public static TabularEncoder Fit(RawTable table, TabularSchema schema, ReadOnlySpan<int> trainRows, VocabularyLimits? limits = null) =>
        Fit(table, schema, trainRows, TrainingDataIdentity.Of(table, schema, trainRows, split: null), limits);

    internal static TabularEncoder Fit(RawTable table, TabularSchema schema, ReadOnlySpan<int> trainRows, TrainingDataIdentity identity, VocabularyLimits? limits = null)
    {
        schema.Validate();
        limits ??= VocabularyLimits.Default;
        limits.Validate();
        LabelCheck.RequireBothClasses(table, schema.Tasks, trainRows, "training row");
        var numeric = new List<NumericColumnStats>();
        foreach (var spec in schema.Inputs(ColumnKind.Numeric))
        {
            int column = table.ColumnIndex(spec.Name);
            float[] values = ParseLevels(table, column);
            var moments = new RunningMoments();
            foreach (int row in trainRows)
            {
                float v = values[table.Code(row, column)];
                if (!float.IsNaN(v)) moments.Add(v);
            }
            numeric.Add(moments.ToStats(spec.Name));
        }
        var categorical = new List<CategoricalVocabulary>();
        foreach (var spec in schema.Inputs(ColumnKind.Categorical))
        {
            int column = table.ColumnIndex(spec.Name);
            var levels = table.Levels(column);
            var counts = new long[levels.Count];
            var first = new long[levels.Count];
            for (int i = 0; i < trainRows.Length; i++)
                if (counts[table.Code(trainRows[i], column)]++ == 0) first[table.Code(trainRows[i], column)] = i;
            var counter = new VocabularyCounter(int.MaxValue);
            for (int level = 0; level < levels.Count; level++)
                if (counts[level] > 0) counter.Add(levels[level], counts[level], first[level]);
            categorical.Add(counter.Choose(spec.Name, limits));
        }
        return new TabularEncoder(new TabularPreprocessing(schema, numeric, categorical, identity) { VocabularyLimits = limits });
    }

    /// <summary>
    /// Checks that every binary task has both classes among <paramref name="rows"/> of
    /// <paramref name="table"/>, as training and a meaningful evaluation need.
    /// </summary>
    /// <exception cref="InvalidDataException">A task's positive value never occurs, or every row is positive; the message lists the values that do occur and a near miss (letter case, a trailing '.', spaces).</exception>
    public void CheckLabels(RawTable table, ReadOnlySpan<int> rows) => LabelCheck.RequireBothClasses(table, Preprocessing.Schema.Tasks, rows, "row");

    /// <summary>Encodes <paramref name="rows"/> of <paramref name="table"/>, labels included.</summary>
    /// <exception cref="CsvFormatException">A numeric input or a label is not what the schema says (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The table lacks a column of the schema.</exception>
    public EncodedTable Encode(RawTable table, ReadOnlySpan<int> rows)
    {
        var (numeric, categorical) = EncodeInputs(table, rows);
        var tasks = Preprocessing.Schema.Tasks;
        var labels = new float[tasks.Count][];
        for (int t = 0; t < tasks.Count; t++)
        {
            int column = table.ColumnIndex(tasks[t].Column);
            var task = tasks[t];
            float[] levelLabels = ReadLevels(table, column, (ReadOnlySpan<char> text, out string? problem) => LabelOf(task, text, out problem));
            labels[t] = new float[rows.Length];
            for (int r = 0; r < rows.Length; r++) labels[t][r] = levelLabels[table.Code(rows[r], column)];
        }
        return new EncodedTable(rows.Length, NumericCount, numeric, _vocabularies.Length, categorical, tasks.Select(t => t.Name).ToArray(), labels)
        {
            RowWeights = Preprocessing.Schema.WeightColumn is { } weightColumn ? RowWeights(table, rows, table.ColumnIndex(weightColumn)) : null,
        };
    }

    // The weight column's values of the rows: finite non-negative numbers, each distinct text parsed once.
    private static float[] RowWeights(RawTable table, ReadOnlySpan<int> rows, int column)
    {
        float[] weights = ReadLevels(table, column, WeightOf);
        var result = new float[rows.Length];
        for (int r = 0; r < rows.Length; r++) result[r] = weights[table.Code(rows[r], column)];
        return result;
    }

    /// <summary>A row weight read from its text; <paramref name="problem"/> says why it is not one (missing, negative, not a number), else null.</summary>
    internal static float WeightOf(ReadOnlySpan<char> text, out string? problem)
    {
        problem = null;
        if (TabularSchema.TryParseNumber(text, out float weight) && weight >= 0) return weight;
        problem = TabularSchema.IsMissing(text) ? "the row weight is missing"
            : weight < 0 ? $"the row weight '{text}' is negative" : $"the row weight {TabularSchema.NotANumberReason(text.ToString())}";
        return 0f;
    }

    /// <summary>
    /// Encodes the inputs of <paramref name="rows"/> only (label columns may be absent, extra
    /// columns are ignored): numeric [rows, NumericCount] and categorical [rows, categorical count].
    /// </summary>
    /// <exception cref="CsvFormatException">A numeric input is not a number (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The table lacks an input column.</exception>
    public (float[] Numeric, int[] Categorical) EncodeInputs(RawTable table, ReadOnlySpan<int> rows)
    {
        int n = rows.Length, numericCount = NumericCount, categoricalCount = _vocabularies.Length;
        var numeric = new float[n * numericCount];
        for (int f = 0; f < numericCount; f++)
        {
            var stats = Preprocessing.Numeric[f];
            int column = table.ColumnIndex(stats.Name);
            float[] values = ParseLevels(table, column);
            for (int r = 0; r < n; r++)
            {
                float v = values[table.Code(rows[r], column)];
                numeric[r * numericCount + f] = float.IsNaN(v) ? 0f : (v - stats.Mean) / stats.Std;
            }
        }
        var categorical = new int[n * categoricalCount];
        for (int f = 0; f < categoricalCount; f++)
        {
            int column = table.ColumnIndex(Preprocessing.Categorical[f].Name);
            int vocabulary = f;
            int[] slots = table.Levels(column).Select(level => Slot(vocabulary, level)).ToArray();
            for (int r = 0; r < n; r++) categorical[r * categoricalCount + f] = slots[table.Code(rows[r], column)];
        }
        return (numeric, categorical);
    }

    /// <summary>One embedding table per categorical input, sized by its vocabulary (see <see cref="InputEmbeddingConfig.DefaultDim"/>).</summary>
    public InputEmbeddingConfig EmbeddingConfig(int maxDim = 16) => new()
    {
        Cardinalities = [.. Preprocessing.Categorical.Select(v => v.Cardinality)],
        Dims = [.. Preprocessing.Categorical.Select(v => InputEmbeddingConfig.DefaultDim(v.Cardinality, maxDim))],
    };

    /// <summary>
    /// Encodes one raw row given as texts by column name (<paramref name="valueOf"/> returns
    /// null for an absent column, which counts as missing) into caller-provided spans.
    /// </summary>
    /// <exception cref="FormatException">A numeric input holds text that is not a number; the message names the column.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void EncodeRow(Func<string, string?> valueOf, Span<float> numeric, Span<int> categorical) =>
        EncodeRow(new FunctionValues(valueOf), numeric, categorical);

    /// <summary>
    /// Encodes one raw row (text values by column name; an absent column counts as missing)
    /// into caller-provided spans without allocating. Keys that are not columns of the schema
    /// are an error unless <paramref name="allowUnknownColumns"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A key is not a column of the schema (the message names it and any near miss), or a span has the wrong length.</exception>
    /// <exception cref="FormatException">A numeric input holds text that is not a number; the message names the column.</exception>
    public void EncodeRow(IReadOnlyDictionary<string, string> row, Span<float> numeric, Span<int> categorical, bool allowUnknownColumns = false)
    {
        if (!allowUnknownColumns) RequireKnownKeys(row);
        EncodeRow(new DictionaryValues(row), numeric, categorical);
    }

    private void EncodeRow<TValues>(TValues values, Span<float> numeric, Span<int> categorical) where TValues : struct, IRowValues
    {
        if (numeric.Length != NumericCount || categorical.Length != _vocabularies.Length)
            throw new ArgumentException($"EncodeRow needs {NumericCount} numeric and {_vocabularies.Length} categorical slots, got {numeric.Length} and {categorical.Length}.");
        for (int f = 0; f < numeric.Length; f++)
        {
            var stats = Preprocessing.Numeric[f];
            float v = NumberOf(values.ValueOf(stats.Name).AsSpan().Trim(), out string? problem);
            if (problem is not null) throw new FormatException($"column '{stats.Name}': {problem}.");
            numeric[f] = float.IsNaN(v) ? 0f : (v - stats.Mean) / stats.Std;
        }
        for (int f = 0; f < categorical.Length; f++)
            categorical[f] = Slot(f, values.ValueOf(Preprocessing.Categorical[f].Name).AsSpan().Trim());
    }

    // The embedding row of a categorical text: the missing slot for ? and "", 0 (unknown) for a level not seen in training.
    internal int Slot(int vocabulary, ReadOnlySpan<char> text) =>
        TabularSchema.IsMissing(text) ? _missingSlots[vocabulary]
        : _vocabularies[vocabulary].GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out int slot) ? slot : 0;

    // Counting known keys finds an unknown one without enumerating the dictionary (which would allocate through the interface).
    private void RequireKnownKeys(IReadOnlyDictionary<string, string> row)
    {
        int known = 0;
        foreach (string column in _knownColumns)
            if (row.ContainsKey(column)) known++;
        if (known == row.Count) return;
        var unknown = row.Keys.Where(k => !_knownColumns.Contains(k)).Select(k =>
        {
            string? nearMiss = _knownColumns.FirstOrDefault(c => string.Equals(c.Trim(), k.Trim(), StringComparison.OrdinalIgnoreCase));
            return nearMiss is null ? $"'{k}'" : $"'{k}' (did you mean '{nearMiss}'?)";
        });
        throw new ArgumentException($"The row has keys that are not columns of the model's schema: {string.Join(", ", unknown)}. " +
            $"Column names match exactly (case-sensitive); the columns are: {string.Join(", ", _knownColumns)}.", nameof(row));
    }

    private interface IRowValues
    {
        string? ValueOf(string column);
    }

    private readonly struct FunctionValues(Func<string, string?> valueOf) : IRowValues
    {
        public string? ValueOf(string column) => valueOf(column);
    }

    private readonly struct DictionaryValues(IReadOnlyDictionary<string, string> row) : IRowValues
    {
        public string? ValueOf(string column) => row.TryGetValue(column, out var value) ? value : null;
    }

    // Each distinct text of a numeric column parsed once; NaN marks a missing value.
    private static float[] ParseLevels(RawTable table, int column) => ReadLevels(table, column, NumberOf);

    // A numeric input read from its text: NaN when missing; `problem` says why the text is not a number, else null.
    private static float NumberOf(ReadOnlySpan<char> text, out string? problem)
    {
        problem = null;
        if (TabularSchema.IsMissing(text)) return float.NaN;
        if (TabularSchema.TryParseNumber(text, out float value)) return value;
        problem = TabularSchema.NotANumberReason(text.ToString());
        return float.NaN;
    }

    private delegate float LevelReader(ReadOnlySpan<char> text, out string? problem);

    // The value of each distinct text of a column, read once; a text that is no value is refused where it first appears.
    private static float[] ReadLevels(RawTable table, int column, LevelReader read)
    {
        var levels = table.Levels(column);
        var values = new float[levels.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = read(levels[i], out string? problem);
            if (problem is not null) throw table.ErrorAtLevel(column, i, problem);
        }
        return values;
    }

    /// <summary>
    /// The label of <paramref name="task"/> that a text gives: NaN when missing (masked: see
    /// <see cref="Data.MultiTaskDataset.IsMissing"/>), 1 or 0 for a binary task, the number for a
    /// regression task; <paramref name="problem"/> says why the text is not a label, else null.
    /// </summary>
    internal static float LabelOf(TaskSpec task, ReadOnlySpan<char> text, out string? problem)
    {
        problem = null;
        if (TabularSchema.IsMissing(text)) return float.NaN;
        if (task.Kind == TaskKind.Regression)
        {
            if (TabularSchema.TryParseNumber(text, out float value)) return value;
            problem = $"the label of regression task '{task.Name}' is '{text}', not a number";
            return float.NaN;
        }
        if (Contains(task.PositiveValues!, text)) return 1f;
        if (task.NegativeValues is null || Contains(task.NegativeValues, text)) return 0f;
        problem = $"'{text}' is neither a positive ({string.Join(", ", task.PositiveValues!)}) nor a negative ({string.Join(", ", task.NegativeValues)}) label of task '{task.Name}'";
        return float.NaN;
    }

    private static bool Contains(IReadOnlyList<string> values, ReadOnlySpan<char> text)
    {
        foreach (string value in values)
            if (text.SequenceEqual(value)) return true;
        return false;
    }
}

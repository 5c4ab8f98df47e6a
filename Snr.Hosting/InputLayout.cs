using Snr.Core.Tabular;

namespace Snr.Hosting;

/// <summary>
/// Where each raw value of a request goes for one model: the column a name refers to, and the
/// model input it becomes. Built from the public statistics of the model's <see cref="TabularEncoder"/>
/// (means and deviations, vocabularies) and applying them as <c>TabularEncoder.EncodeRow</c>
/// does, so a row scores the same over HTTP as through <c>TabularPredictor.Score</c>; unlike that
/// method it reads names and values as spans, so a request allocates no strings.
/// </summary>
/// <remarks>
/// This is the one place that knows how raw values become inputs: change it when the encoder's
/// rules change. The hosting tests compare its results with <c>TabularPredictor.Score</c>.
/// </remarks>
internal sealed class InputLayout
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _columnsByName;
    private readonly Utf8Keys _columnsByUtf8;
    private readonly ColumnSlot[] _slots;
    private readonly NumericColumnStats[] _numeric;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>[] _vocabularies;
    private readonly Utf8Keys[] _vocabulariesUtf8;
    private readonly int[] _missingCategories;

    public InputLayout(TabularEncoder encoder)
    {
        var preprocessing = encoder.Preprocessing;
        _numeric = [.. preprocessing.Numeric];
        _vocabularies = preprocessing.Categorical
            .Select(v => v.Levels.Select((level, i) => (level, i)).ToDictionary(p => p.level, p => p.i + 1).GetAlternateLookup<ReadOnlySpan<char>>())
            .ToArray();
        _vocabulariesUtf8 = _vocabularies.Select(v => new Utf8Keys(v.Dictionary)).ToArray();
        // As EncodeRow: a missing categorical value (null, "?", "") takes the slot of the first level that is itself a
        // missing text (older checkpoints have one), else 0; an unseen level is slot 0.
        _missingCategories = preprocessing.Categorical
            .Select(v => v.Levels.Select((level, i) => (level, i)).Where(p => TabularSchema.IsMissing(p.level)).Select(p => p.i + 1).FirstOrDefault())
            .ToArray();

        var numericIndex = _numeric.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var categoricalIndex = preprocessing.Categorical.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i);
        ColumnNames = preprocessing.Schema.Columns.Select(c => c.Name).ToArray();
        _slots = ColumnNames.Select(name =>
            numericIndex.TryGetValue(name, out int n) ? new ColumnSlot(ColumnRole.Numeric, n)
            : categoricalIndex.TryGetValue(name, out int c) ? new ColumnSlot(ColumnRole.Categorical, c)
            : new ColumnSlot(ColumnRole.Accepted, -1)).ToArray();
        _columnsByName = ColumnNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i).GetAlternateLookup<ReadOnlySpan<char>>();
        _columnsByUtf8 = new Utf8Keys(_columnsByName.Dictionary);
        NumericCount = _numeric.Length;
        CategoricalCount = _vocabularies.Length;
        CategoricalLevels = preprocessing.Categorical.Select(v => v.Levels).ToArray();
    }

    /// <summary>Every column of the schema, in file order: inputs, labels and ignored columns (the latter two are accepted and not used).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Numeric inputs per row.</summary>
    public int NumericCount { get; }

    /// <summary>Categorical inputs per row.</summary>
    public int CategoricalCount { get; }

    /// <summary>The known levels of each categorical input.</summary>
    public IReadOnlyList<IReadOnlyList<string>> CategoricalLevels { get; }

    /// <summary>The column called <paramref name="name"/>, or false when the schema has none.</summary>
    public bool TryFindColumn(ReadOnlySpan<char> name, out int column) => _columnsByName.TryGetValue(name, out column);

    /// <summary>The column whose name is the UTF-8 text <paramref name="utf8Name"/>, or false (also for bytes that are not UTF-8).</summary>
    public bool TryFindColumn(ReadOnlySpan<byte> utf8Name, out int column) => _columnsByUtf8.TryGetValue(utf8Name, out column);

    /// <summary>What column <paramref name="column"/> feeds.</summary>
    public ColumnSlot SlotOf(int column) => _slots[column];

    /// <summary>
    /// Encodes the text of numeric input <paramref name="input"/>: standardised with the training
    /// statistics, 0 (the training mean) when missing. False when the text is not a finite number.
    /// </summary>
    public bool TryEncodeNumeric(int input, ReadOnlySpan<char> text, out float value)
    {
        text = text.Trim();
        if (TabularSchema.IsMissing(text))
        {
            value = 0f;
            return true;
        }
        var stats = _numeric[input];
        if (TabularSchema.TryParseNumber(text, out float number))
        {
            value = (number - stats.Mean) / stats.Std;
            return true;
        }
        value = 0f;
        return false;
    }

    /// <summary>The value of a numeric input that is null in the request: missing, so the training mean.</summary>
    public static float MissingNumeric => 0f;

    /// <summary>The embedding row of the text of categorical input <paramref name="input"/>: the missing slot for <c>?</c> and empty text, its level's, or 0 ("unknown") for a level not seen in training.</summary>
    public int EncodeCategorical(int input, ReadOnlySpan<char> text)
    {
        text = text.Trim();
        return TabularSchema.IsMissing(text) ? _missingCategories[input] : _vocabularies[input].TryGetValue(text, out int slot) ? slot : 0;
    }

    /// <summary>
    /// The embedding row of categorical input <paramref name="input"/> for the UTF-8 text <paramref name="utf8"/>,
    /// as <see cref="EncodeCategorical(int, ReadOnlySpan{char})"/> gives it; false when the bytes cannot be
    /// decided on without decoding (they start or end with a non-ASCII byte, which may be Unicode white space to
    /// trim, or are not a known level and not valid UTF-8): then decode and use the text overload.
    /// </summary>
    public bool TryEncodeCategorical(int input, ReadOnlySpan<byte> utf8, out int slot)
    {
        if (!utf8.IsEmpty && (utf8[0] >= 0x80 || utf8[^1] >= 0x80))
        {
            slot = 0;
            return false;
        }
        var trimmed = utf8[System.Text.Ascii.Trim(utf8)];
        if (trimmed.IsEmpty || trimmed.SequenceEqual("?"u8))
        {
            slot = _missingCategories[input];
            return true;
        }
        if (_vocabulariesUtf8[input].TryGetValue(trimmed, out slot)) return true;
        slot = 0;
        return System.Text.Unicode.Utf8.IsValid(trimmed);
    }

    /// <summary>The embedding row of a categorical input that is null in the request: its missing slot.</summary>
    public int MissingCategorical(int input) => _missingCategories[input];

    /// <summary>The first input column (in schema order) that row <paramref name="row"/> did not name (<paramref name="lastRowOfColumn"/> holds, per column, the last row that named it, plus one), or null.</summary>
    public string? FirstMissing(ReadOnlySpan<int> lastRowOfColumn, int row)
    {
        for (int c = 0; c < _slots.Length; c++)
            if (_slots[c].Role != ColumnRole.Accepted && lastRowOfColumn[c] != row + 1) return ColumnNames[c];
        return null;
    }
}

/// <summary>What a request column feeds.</summary>
internal enum ColumnRole
{
    /// <summary>A numeric input.</summary>
    Numeric,

    /// <summary>A categorical input.</summary>
    Categorical,

    /// <summary>A label or ignored column: accepted so whole data rows can be sent, not used.</summary>
    Accepted,
}

/// <summary>A column's role and its index among the inputs of that role.</summary>
internal readonly record struct ColumnSlot(ColumnRole Role, int Input);

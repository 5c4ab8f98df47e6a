namespace Snr.Core.Tabular;

/// <summary>
/// How column kinds are chosen for a file without a schema. The rule: a column whose present
/// values (not <c>?</c> or empty) all parse as numbers and that has more than
/// <see cref="MaxCategoricalLevels"/> distinct values is numeric; any other column is
/// categorical. Columns named in <see cref="Declared"/> take the declared kind instead.
/// </summary>
/// <remarks>
/// A column that fails the rule because of a few values only (at least 90% of its present
/// values are numbers) is reported in a note naming the first offending values and where they
/// are, since one <c>1e400</c>, <c>NaN</c> or <c>1,5</c> would otherwise silently turn a numeric
/// column into a categorical one.
/// </remarks>
public sealed record SchemaInference
{
    /// <summary>The default of <see cref="MaxCategoricalLevels"/>: a numeric column needs more than 20 distinct values.</summary>
    public const int DefaultMaxCategoricalLevels = 20;

    /// <summary>A column of numbers with at most this many distinct values is categorical (codes, ratings, years).</summary>
    public int MaxCategoricalLevels { get; init; } = DefaultMaxCategoricalLevels;

    /// <summary>Kinds the user declared by column name; they override the rule.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Declared { get; init; } = new Dictionary<string, ColumnKind>();

    /// <summary>The rule in one sentence, for printing above an inferred schema.</summary>
    public string Rule =>
        $"a column is numeric when all its values (other than ? and empty) are numbers and it has more than {MaxCategoricalLevels} distinct values, else categorical";

    /// <summary>
    /// Infers the kind of every column of <paramref name="table"/>; returns the schema and one
    /// note per mostly-numeric column that the rule made categorical (its offending values with
    /// <c>file:line:column</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A declared column is not in the table (the message lists its columns), or the threshold is negative.</exception>
    public (TabularSchema Schema, IReadOnlyList<string> Notes) Infer(RawTable table, IReadOnlyList<TaskSpec> tasks)
    {
        if (MaxCategoricalLevels < 0) throw new ArgumentException($"MaxCategoricalLevels must be non-negative, got {MaxCategoricalLevels}.");
        foreach (var name in Declared.Keys) table.ColumnIndex(name);
        var columns = new List<ColumnSpec>();
        var notes = new List<string>();
        for (int c = 0; c < table.ColumnNames.Count; c++)
        {
            string name = table.ColumnNames[c];
            if (Declared.TryGetValue(name, out var declared))
            {
                columns.Add(new ColumnSpec(name, declared));
                continue;
            }
            var levels = table.Levels(c);
            var offenders = Enumerable.Range(0, levels.Count)
                .Where(l => !TabularSchema.IsMissing(levels[l]) && !TabularSchema.TryParseNumber(levels[l], out _)).ToList();
            columns.Add(new ColumnSpec(name, KindOf(offenders.Count == 0, levels.Count)));
            if (offenders.Count > 0 && !tasks.Any(t => t.Column == name) && MostlyNumbers(table, c, offenders))
                notes.Add(Note(name, offenders.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    offenders.Take(OffendersShown).Select(l => (table.PlaceOfLevel(c, l), levels[l]))));
        }
        return (new TabularSchema(columns, tasks), notes);
    }

    /// <summary>The rule: numeric when every present value is a number and there are more than <see cref="MaxCategoricalLevels"/> distinct values.</summary>
    internal ColumnKind KindOf(bool allNumbers, int distinctValues) =>
        allNumbers && distinctValues > MaxCategoricalLevels ? ColumnKind.Numeric : ColumnKind.Categorical;

    /// <summary>The number of offending values a note shows.</summary>
    internal const int OffendersShown = 5;

    /// <summary>The note on a mostly-numeric column read as categorical: how many distinct values are not numbers, and the first ones with their places.</summary>
    internal static string Note(string column, string offenderCount, IEnumerable<(string Place, string Value)> firstOffenders)
    {
        var shown = firstOffenders.ToList();
        return $"{column}: read as Categorical because of {offenderCount} value(s) that are not numbers: " +
            string.Join("; ", shown.Take(OffendersShown).Select(o => $"{o.Place} {TabularSchema.NotANumberReason(o.Value)}")) +
            (offenderCount != shown.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "; …" : "") +
            ". Fix them (? or an empty field is a missing value), or declare the column numeric (they are then errors) or categorical.";
    }

    /// <summary>True when at least 90% of a column's present values (by row) are numbers.</summary>
    internal static bool MostlyNumbers(long present, long notNumbers) => notNumbers * 10 <= present;

    // At least 90% of the column's present values (by row) are numbers.
    private static bool MostlyNumbers(RawTable table, int column, List<int> offenders)
    {
        var bad = new bool[table.Levels(column).Count];
        foreach (int l in offenders) bad[l] = true;
        int present = 0, notNumbers = 0;
        for (int r = 0; r < table.RowCount; r++)
        {
            int code = table.Code(r, column);
            if (TabularSchema.IsMissing(table.Levels(column)[code])) continue;
            present++;
            if (bad[code]) notNumbers++;
        }
        return MostlyNumbers(present, notNumbers);
    }

    /// <summary>
    /// Reads declared kinds from a text file, one column a line: <c>NAME: numeric</c>,
    /// <c>NAME: categorical</c> or <c>NAME: ignored</c> (case-insensitive kind). Blank lines and
    /// lines starting with <c>#</c> are skipped, and so are <c>NAME: label of task …</c> lines,
    /// so the schema that <c>snr train</c> prints can be pasted in and edited.
    /// </summary>
    /// <exception cref="CsvFormatException">A line is not <c>NAME: KIND</c>, or a column appears twice (file and line named).</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Dictionary<string, ColumnKind> ReadDeclarations(string path)
    {
        var declared = new Dictionary<string, ColumnKind>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int colon = line.LastIndexOf(':');
            if (line.Contains(": label of task ", StringComparison.Ordinal)) continue;
            string name = colon > 0 ? line[..colon].Trim() : "";
            string kindText = colon > 0 ? line[(colon + 1)..].Trim() : "";
            if (name.Length == 0 || !Enum.TryParse(kindText, ignoreCase: true, out ColumnKind kind) || !Enum.IsDefined(kind) || char.IsDigit(kindText[0]))
                throw new CsvFormatException(path, i + 1, 0, $"'{lines[i]}' is not NAME: numeric, NAME: categorical or NAME: ignored");
            if (!declared.TryAdd(name, kind))
                throw new CsvFormatException(path, i + 1, 0, $"column '{name}' is declared twice");
        }
        return declared;
    }
}

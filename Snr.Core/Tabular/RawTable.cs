namespace Snr.Core.Tabular;

/// <summary>
/// A data file held column by column, each column dictionary-encoded: its distinct texts
/// (levels) once, and one int code per row. Census-Income's 100 k rows × 42 columns take
/// 17 MB this way instead of several hundred as strings, and a numeric column parses each
/// distinct text once.
/// </summary>
public sealed class RawTable
{
    private readonly EncodedColumn[] _columns;
    private readonly List<long> _rowLines = [];

    private sealed class EncodedColumn
    {
        public readonly List<string> Levels = [];
        public readonly Dictionary<string, int> Index = new();
        public readonly List<(long Line, int Column)> FirstSeen = [];
        public readonly List<int> Codes = [];

        // Appends a row's value: its level's code, the level added where it first appears.
        public void Add(ReadOnlySpan<char> value, long line, int column)
        {
            if (!Index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out int code))
            {
                string text = value.ToString();
                code = Levels.Count;
                Levels.Add(text);
                Index[text] = code;
                FirstSeen.Add((line, column));
            }
            Codes.Add(code);
        }
    }

    private RawTable(string source, IReadOnlyList<string> names)
    {
        Source = source;
        ColumnNames = names;
        _columns = names.Select(_ => new EncodedColumn()).ToArray();
    }

    /// <summary>The file the table was read from.</summary>
    public string Source { get; }

    /// <summary>The column names (from the header, or given by the caller).</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The number of data rows.</summary>
    public int RowCount => _rowLines.Count;

    /// <summary>
    /// Reads a whole file. Names come from the header when the options say there is one,
    /// else from <paramref name="columnNames"/> (which then must be given).
    /// </summary>
    /// <exception cref="CsvFormatException">A row has the wrong number of fields, the file is empty or has only a header, the text is not UTF-8, or the header is a single column containing another common delimiter (the message names it).</exception>
    /// <exception cref="ArgumentException">Neither a header nor column names.</exception>
    public static RawTable Load(string path, CsvOptions options, IReadOnlyList<string>? columnNames = null)
    {
        using var reader = new CsvReader(path, options);
        return Load(reader, options, columnNames);
    }

    /// <summary>Reads every record of <paramref name="reader"/> (see <see cref="Load(string, CsvOptions, IReadOnlyList{string})"/>).</summary>
    public static RawTable Load(CsvReader reader, CsvOptions options, IReadOnlyList<string>? columnNames = null)
    {
        var names = CsvHeader.Read(reader, options, columnNames);
        var table = new RawTable(reader.FileName, names);
        while (reader.Read())
        {
            if (reader.FieldCount != names.Count)
                throw new CsvFormatException(reader.FileName, reader.Line, 0, $"expected {names.Count} fields but found {reader.FieldCount}");
            for (int c = 0; c < names.Count; c++)
                table._columns[c].Add(reader.Field(c), reader.Line, reader.FieldColumn(c));
            table._rowLines.Add(reader.Line);
        }
        if (table.RowCount == 0)
            throw new CsvFormatException(reader.FileName, 0, 0, options.HasHeader ? "the file has a header but no data rows" : "the file is empty");
        return table;
    }

    /// <summary>
    /// Builds a table row by row from another source than a CSV file (a Parquet file, a
    /// database): each row is its texts, missing values as <c>?</c> or empty, with the row's
    /// position for error messages.
    /// </summary>
    public sealed class Builder
    {
        private readonly RawTable _table;

        /// <summary>Starts a table read from <paramref name="source"/> with the given column names.</summary>
        public Builder(string source, IReadOnlyList<string> columnNames) => _table = new RawTable(source, [.. columnNames]);

        /// <summary>Appends a row; <paramref name="line"/> is its position in the source (a line or a row number), column positions count from 1.</summary>
        /// <exception cref="ArgumentException">Not one value per column.</exception>
        public void AddRow(ReadOnlySpan<string> values, long line)
        {
            var columns = _table._columns;
            if (values.Length != columns.Length)
                throw new ArgumentException($"{values.Length} values for {columns.Length} columns.", nameof(values));
            for (int c = 0; c < columns.Length; c++) columns[c].Add(values[c].AsSpan().Trim(), line, c + 1);
            _table._rowLines.Add(line);
        }

        /// <summary>The table of the rows added so far.</summary>
        public RawTable Build() => _table;
    }

    /// <summary>The index of the column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns.</exception>
    public int ColumnIndex(string name) => ColumnIndex(Source, ColumnNames, name);

    /// <summary>The index of the column named <paramref name="name"/> among <paramref name="columnNames"/> of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns.</exception>
    internal static int ColumnIndex(string source, IReadOnlyList<string> columnNames, string name)
    {
        for (int c = 0; c < columnNames.Count; c++)
            if (columnNames[c] == name) return c;
        throw new ArgumentException($"{source} has no column '{name}'; its columns are: {string.Join(", ", columnNames)}.", nameof(name));
    }

    /// <summary>The distinct texts of column <paramref name="column"/>, in order of first appearance.</summary>
    public IReadOnlyList<string> Levels(int column) => _columns[column].Levels;

    /// <summary>The level code of row <paramref name="row"/> in column <paramref name="column"/>.</summary>
    public int Code(int row, int column) => _columns[column].Codes[row];

    /// <summary>The text of row <paramref name="row"/> in column <paramref name="column"/>.</summary>
    public string Value(int row, int column) => _columns[column].Levels[Code(row, column)];

    /// <summary>The file line of data row <paramref name="row"/>.</summary>
    public long Line(int row) => _rowLines[row];

    /// <summary>Where level <paramref name="level"/> of column <paramref name="column"/> first appears: <c>file:line:column</c>.</summary>
    public string PlaceOfLevel(int column, int level)
    {
        var (line, at) = _columns[column].FirstSeen[level];
        return $"{Source}:{line}:{at}";
    }

    /// <summary>An error at the place where level <paramref name="level"/> of a column first appears.</summary>
    public CsvFormatException ErrorAtLevel(int column, int level, string reason)
    {
        var (line, at) = _columns[column].FirstSeen[level];
        return new CsvFormatException(Source, line, at, $"column '{ColumnNames[column]}': {reason}");
    }
}

using System.Globalization;
using System.Numerics;

namespace Snr.Core.Tabular;

/// <summary>
/// A block of rows of a data file, the unit an <see cref="IRowChunkSource"/> reads: every field's
/// text (or, from a typed file, every column's values in their type), with the row's place in the
/// file (line) and the field's place on it (character column) kept for error messages.
/// </summary>
/// <remarks>
/// <para>
/// A text file fills a chunk row by row (<see cref="AddField(ReadOnlySpan{char}, int)"/> per field,
/// then <see cref="EndRow"/>), the characters in one reused buffer. A typed file fills it column by
/// column (<see cref="BeginColumns"/>, then <see cref="SetNumbers"/> or <see cref="SetTexts"/> per
/// column): numbers stay numbers, so they are not formatted to be parsed again, and a column of
/// repeated texts is a list of distinct texts with an index per row.
/// </para>
/// <para>
/// Either way every field reads as the text a CSV file would hold (<see cref="Field"/>, a span, so
/// neither side allocates a string per value). <see cref="Clear"/> keeps the buffers for the next chunk.
/// </para>
/// </remarks>
public sealed class RowChunk
{
    private char[] _text = new char[1 << 16];
    private int _textLength;
    private int[] _starts = new int[1024];
    private int[] _lengths = new int[1024];
    private int[] _positions = new int[1024];
    private long[] _lines = new long[64];
    private int _fieldsInRow;
    private int _rowTextStart;
    private readonly ChunkColumn?[] _columns;  // filled column by column: one per column; by row: unused
    private readonly bool[] _columnSet;
    private bool _byColumn;

    /// <summary>Creates an empty chunk for rows of <paramref name="columnNames"/> read from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">No columns.</exception>
    public RowChunk(string source, IReadOnlyList<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(columnNames);
        if (columnNames.Count == 0) throw new ArgumentException("A chunk needs at least one column.", nameof(columnNames));
        Source = source;
        ColumnNames = [.. columnNames];
        _columns = new ChunkColumn?[ColumnNames.Count];
        _columnSet = new bool[ColumnNames.Count];
    }

    /// <summary>The file the rows come from, as named in error messages.</summary>
    public string Source { get; }

    /// <summary>The column names, in file order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The number of columns (fields per row).</summary>
    public int ColumnCount => ColumnNames.Count;

    /// <summary>The number of complete rows.</summary>
    public int RowCount { get; private set; }

    /// <summary>The chunk's number in its source (0-based, file order), as set by <see cref="Clear"/>.</summary>
    public int Index { get; private set; }

    /// <summary>Field <paramref name="column"/> of row <paramref name="row"/> (quotes removed; trimmed as the source's options say).</summary>
    public ReadOnlySpan<char> Field(int row, int column)
    {
        int f = FieldIndex(row, column);
        return _byColumn ? _columns[column]!.Field(row) : _text.AsSpan(_starts[f], _lengths[f]);
    }

    /// <summary>The line (or, for a file without lines, the 1-based row number) of row <paramref name="row"/>.</summary>
    public long Line(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside a chunk of {RowCount} rows.");
        return _lines[row];
    }

    /// <summary>The 1-based character column on its line at which the field starts (for a file without lines, the column number).</summary>
    public int Position(int row, int column)
    {
        int f = FieldIndex(row, column);
        return _byColumn ? column + 1 : _positions[f];
    }

    /// <summary>An error at field <paramref name="column"/> of row <paramref name="row"/>: <c>file:line:column: column 'NAME': reason</c>.</summary>
    public CsvFormatException Error(int row, int column, string reason) =>
        new(Source, Line(row), Position(row, column), $"column '{ColumnNames[column]}': {reason}");

    /// <summary>
    /// Empties the chunk for the rows of chunk <paramref name="index"/> of <paramref name="source"/>,
    /// the first thing every <see cref="IRowChunkSource.TryReadChunk"/> does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="ArgumentException">The chunk has another number of columns than <paramref name="source"/>.</exception>
    public void BeginRead(IRowChunkSource source, int index)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (ColumnCount != source.ColumnNames.Count)
            throw new ArgumentException($"The chunk has {ColumnCount} columns; {source.Name} has {source.ColumnNames.Count}.", "destination");
        Clear(index);
    }

    /// <summary>Empties the chunk (keeping its buffers) for the rows of chunk <paramref name="index"/>.</summary>
    public void Clear(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
        RowCount = 0;
        _textLength = 0;
        _rowTextStart = 0;
        _fieldsInRow = 0;
        _byColumn = false;
    }

    /// <summary>
    /// Starts filling the (cleared) chunk column by column with <paramref name="rows"/> rows,
    /// numbered <paramref name="firstRow"/>, <paramref name="firstRow"/> + 1, … (a file without
    /// lines; a field's position is its column number). Every column must then be set once, by
    /// <see cref="SetNumbers"/> or <see cref="SetTexts"/>, before the chunk is read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk already holds rows or a partial row.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    public void BeginColumns(int rows, long firstRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (RowCount != 0 || _fieldsInRow != 0) throw new InvalidOperationException("A chunk is filled column by column only when it is empty; call Clear first.");
        if (_lines.Length < rows) _lines = new long[rows];
        for (int r = 0; r < rows; r++) _lines[r] = firstRow + r;
        RowCount = rows;
        _byColumn = true;
        Array.Clear(_columnSet);
    }

    /// <summary>
    /// Sets column <paramref name="column"/> of a chunk filled column by column to numbers, one per
    /// row, null where <paramref name="missing"/> is true (an empty span: none). They read as the
    /// texts <typeparamref name="T"/> formats in invariant culture with <paramref name="format"/>
    /// (for example <c>R</c>), and as numbers with exactly the value parsing those texts gives.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk is not filled column by column (<see cref="BeginColumns"/>).</exception>
    /// <exception cref="ArgumentException">Not one value (and, if given, one missing flag) per row.</exception>
    public void SetNumbers<T>(int column, ReadOnlySpan<T> values, ReadOnlySpan<bool> missing, string? format = null) where T : struct, INumberBase<T>, ISpanFormattable
    {
        var target = ColumnToSet(column, values.Length);
        if (!missing.IsEmpty && missing.Length != values.Length)
            throw new ArgumentException($"{missing.Length} missing flags for {values.Length} values.", nameof(missing));
        target.SetNumbers(values, missing, format);
        _columnSet[column] = true;
    }

    /// <summary>
    /// Sets column <paramref name="column"/> of a chunk filled column by column to texts: row r
    /// holds <paramref name="distinct"/>[<paramref name="rowValues"/>[r]]; an empty text is
    /// missing. The texts are kept by reference (not copied) until the chunk is cleared, so
    /// readers of the chunk can map each distinct text once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk is not filled column by column (<see cref="BeginColumns"/>).</exception>
    /// <exception cref="ArgumentException">Not one index per row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <paramref name="distinct"/>.</exception>
    public void SetTexts(int column, ReadOnlySpan<ReadOnlyMemory<char>> distinct, ReadOnlySpan<int> rowValues)
    {
        ColumnToSet(column, rowValues.Length).SetTexts(distinct, rowValues);
        _columnSet[column] = true;
    }

    /// <summary>
    /// The number in field <paramref name="column"/> of row <paramref name="row"/>: from a typed
    /// column without parsing, else parsed from the text (<see cref="FastNumber"/>). Missing for
    /// <c>?</c>, an empty field or a null.
    /// </summary>
    internal NumberRead ReadNumber(int row, int column, out float value)
    {
        FieldIndex(row, column);
        if (_byColumn && _columns[column] is { IsNumbers: true } typed)
        {
            var state = typed.StateOf(row);
            value = typed.Number(row);
            if (state == ChunkColumn.NumberState.Number) return NumberRead.Number;
            if (state == ChunkColumn.NumberState.Missing) return NumberRead.Missing;
        }
        var text = Field(row, column);
        value = 0f;
        if (TabularSchema.IsMissing(text)) return NumberRead.Missing;
        return FastNumber.TryParse(text, out value) ? NumberRead.Number : NumberRead.NotANumber;
    }

    /// <summary>
    /// True when column <paramref name="column"/> holds texts as distinct values with an index per
    /// row (a typed file's text column; row r's index is <paramref name="rowValues"/>[r], for the
    /// first <see cref="RowCount"/> entries), so a reader can map each distinct text once.
    /// </summary>
    internal bool TryGetDistinctTexts(int column, out ReadOnlySpan<ReadOnlyMemory<char>> distinct, out int[] rowValues)
    {
        if (_byColumn && _columnSet[column] && _columns[column] is { IsNumbers: false } typed)
        {
            distinct = typed.Distinct;
            rowValues = typed.RowValues;
            return true;
        }
        distinct = default;
        rowValues = [];
        return false;
    }

    /// <summary>Column <paramref name="column"/>'s numbers, when it holds numbers in their type (a typed file's number column); else null.</summary>
    internal ChunkColumn? TypedNumbers(int column) =>
        _byColumn && _columnSet[column] && _columns[column] is { IsNumbers: true } typed ? typed : null;

    private ChunkColumn ColumnToSet(int column, int rows)
    {
        if (!_byColumn) throw new InvalidOperationException("Columns are set only in a chunk filled column by column; call BeginColumns first.");
        if ((uint)column >= (uint)ColumnCount) throw new ArgumentOutOfRangeException(nameof(column), $"Column {column} is outside a chunk of {ColumnCount} columns.");
        if (rows != RowCount) throw new ArgumentException($"{rows} values for a chunk of {RowCount} rows.", nameof(rows));
        _columnSet[column] = false;
        return _columns[column] ??= new ChunkColumn();
    }

    /// <summary>Appends the next field of the current row; <paramref name="position"/> is its 1-based character column (or column number).</summary>
    public void AddField(ReadOnlySpan<char> text, int position)
    {
        RequireRows();
        if (!TryStartField(position, out int f)) return;
        EnsureText(text.Length);
        text.CopyTo(_text.AsSpan(_textLength));
        _starts[f] = _textLength;
        _lengths[f] = text.Length;
        _textLength += text.Length;
    }

    /// <summary>
    /// Appends a number (or another formattable value) as the next field, written in invariant
    /// culture straight into the buffer (with <paramref name="format"/>, for example <c>R</c>).
    /// </summary>
    public void AddField<T>(T value, int position, string? format = null) where T : ISpanFormattable
    {
        RequireRows();
        if (!TryStartField(position, out int f)) return;
        int written;
        EnsureText(32);
        while (!value.TryFormat(_text.AsSpan(_textLength), out written, format, CultureInfo.InvariantCulture)) EnsureText(_text.Length - _textLength + 1);
        _starts[f] = _textLength;
        _lengths[f] = written;
        _textLength += written;
    }

    /// <summary>Ends the current row, which starts on line <paramref name="line"/> (or is row number <paramref name="line"/>).</summary>
    /// <exception cref="CsvFormatException">The row does not have one field per column (<c>file:line:0: expected N fields but found M</c>); the row is dropped.</exception>
    public void EndRow(long line)
    {
        RequireRows();
        int found = _fieldsInRow;
        _fieldsInRow = 0;
        if (found != ColumnCount)
        {
            RollBackRow();
            throw new CsvFormatException(Source, line, 0, $"expected {ColumnCount} fields but found {found}");
        }
        if (RowCount == _lines.Length) Array.Resize(ref _lines, _lines.Length * 2);
        _lines[RowCount++] = line;
        _rowTextStart = _textLength;
    }

    /// <summary>Drops the fields of a row that was started but not ended (a reader that ran out of input mid-row).</summary>
    public void DiscardPartialRow()
    {
        _fieldsInRow = 0;
        RollBackRow();
    }

    private void RequireRows()
    {
        if (_byColumn) throw new InvalidOperationException("This chunk is filled column by column; call Clear before adding rows.");
    }

    // The current row's fields are forgotten: the text returns to where the row began.
    private void RollBackRow() => _textLength = _rowTextStart;

    // The slot of the next field, or false when the row already has a field per column (extra fields are only counted, for EndRow's message).
    private bool TryStartField(int position, out int field)
    {
        int inRow = _fieldsInRow++;
        field = RowCount * ColumnCount + inRow;
        if (inRow >= ColumnCount) return false;
        if (field == _starts.Length)
        {
            int size = _starts.Length * 2;
            Array.Resize(ref _starts, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _positions, size);
        }
        _positions[field] = position;
        return true;
    }

    private void EnsureText(int more)
    {
        if (_textLength + more <= _text.Length) return;
        Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + more));
    }

    private int FieldIndex(int row, int column)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside a chunk of {RowCount} rows.");
        if ((uint)column >= (uint)ColumnCount) throw new ArgumentOutOfRangeException(nameof(column), $"Column {column} is outside a chunk of {ColumnCount} columns.");
        if (_byColumn && !_columnSet[column]) throw new InvalidOperationException($"Column {column} ('{ColumnNames[column]}') of this chunk was not set.");
        return row * ColumnCount + column;
    }
}

using Microsoft.Win32.SafeHandles;
using Parquet;
using Parquet.Schema;
using Snr.Core.Tabular;

namespace Snr.Data.Parquet;

/// <summary>
/// A Parquet file read one row group at a time (a chunk is a row group), so a file larger than
/// memory streams as a CSV file does. Columns keep their types in the chunk (numbers are not
/// formatted to be parsed again; strings are distinct texts with an index per row), and every
/// value reads as the text a CSV file would hold: numbers in invariant culture (floating-point
/// numbers round-trippable), booleans <c>true</c>/<c>false</c>, a null the empty field, which is
/// missing. Rows are numbered from 1 across the file and columns from 1, as positions in errors.
/// </summary>
/// <remarks>
/// <para>
/// Only flat columns of strings, booleans, integers and floating-point numbers are read; the
/// column kinds their types imply (<see cref="ImpliedKinds"/>) are numbers <see cref="ColumnKind.Numeric"/>,
/// strings and booleans <see cref="ColumnKind.Categorical"/>.
/// </para>
/// <para>
/// Strings, ints, longs, floats and doubles stored uncompressed, with Snappy or with gzip, plain or
/// dictionary-encoded, are read straight from their pages (<see cref="ColumnChunkPages"/>) into buffers
/// kept from one row group to the next, so reading allocates little more than each string column's
/// distinct texts; other columns and encodings are read through Parquet.Net.
/// </para>
/// </remarks>
public sealed class ParquetChunkSource : IRowChunkSource
{
    private readonly Stream _stream;
    private readonly SafeFileHandle _file;
    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;
    private readonly ParquetColumn[] _columns;
    private readonly long[] _firstRows;

    private ParquetChunkSource(string path, Stream stream, ParquetReader reader, DataField[] fields, Dictionary<string, ColumnKind> kinds)
    {
        Name = path;
        _stream = stream;
        _file = File.OpenHandle(path);  // string columns' pages are read straight from the file (StringColumnChunk)
        _reader = reader;
        _fields = fields;
        _columns = [.. fields.Select(f => ParquetColumn.For(f, _file))];
        ColumnNames = [.. fields.Select(f => f.Name)];
        ImpliedKinds = kinds;
        _firstRows = new long[reader.RowGroupCount + 1];
        for (int g = 0; g < reader.RowGroupCount; g++) _firstRows[g + 1] = _firstRows[g] + reader.RowGroups[g].RowCount;
    }

    /// <summary>Opens <paramref name="path"/> and reads its schema (no rows yet).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CsvFormatException">The file is not Parquet (<c>file:0:0</c>), or a column is of a type that is not read (<c>file:0:COLUMN</c>, naming the column and its type).</exception>
    public static ParquetChunkSource Open(string path)
    {
        var stream = File.OpenRead(path);
        ParquetReader? reader = null;
        try
        {
            try
            {
                reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
            }
            catch (Exception e) when (IsReadError(e))
            {
                throw new CsvFormatException(path, 0, 0, $"not a readable Parquet file ({e.Message})");
            }
            var fields = reader.Schema.Fields;
            var dataFields = new DataField[fields.Count];
            var kinds = new Dictionary<string, ColumnKind>();
            for (int c = 0; c < fields.Count; c++)
            {
                if (fields[c] is not DataField field || field.IsArray || KindOf(field.ClrType) is not { } kind)
                    throw new CsvFormatException(path, 0, c + 1, $"column '{fields[c].Name}' is {Describe(fields[c])}; Snr reads flat columns of strings, booleans, integers and floating-point numbers");
                dataFields[c] = field;
                kinds[field.Name] = kind;
            }
            return new ParquetChunkSource(path, stream, reader, dataFields, kinds);
        }
        catch
        {
            if (reader is not null) reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ColumnNames { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, ColumnKind> ImpliedKinds { get; }

    /// <inheritdoc />
    public int ChunkCount => _reader.RowGroupCount;

    /// <summary>The number of rows of the file (from its metadata, without reading them).</summary>
    public long RowCount => _firstRows[^1];

    /// <inheritdoc />
    /// <exception cref="CsvFormatException">
    /// A column of the row group cannot be read, for example a damaged page
    /// (<c>file:ROW:COLUMN: column 'NAME' of row group G of N cannot be read (…)</c>, ROW the group's first row, G from 1).
    /// </exception>
    public bool TryReadChunk(int index, RowChunk destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.BeginRead(this, index);
        if (index >= ChunkCount) return false;
        using var group = _reader.OpenRowGroupReader(index);
        int rows = checked((int)group.RowCount);
        destination.BeginColumns(rows, _firstRows[index] + 1);
        for (int c = 0; c < _columns.Length; c++)
        {
            try
            {
                _columns[c].ReadInto(group, rows, destination, c).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Parquet.Net meets damaged bytes with many exception types (its own, Thrift's, index and overflow errors from
                // its decoders); to the user they all mean one thing: this column chunk cannot be read.
                destination.Clear(index);
                throw new CsvFormatException(Name, _firstRows[index] + 1, c + 1, $"column '{_fields[c].Name}' of row group {index + 1} of {ChunkCount} cannot be read ({e.GetType().Name}: {e.Message})");
            }
        }
        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
        _file.Dispose();
    }

    private static bool IsReadError(Exception e) =>
        e is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException;

    private static ColumnKind? KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ParquetColumn.IsText(type) || type == typeof(bool)) return ColumnKind.Categorical;
        return ParquetColumn.IsNumber(type) ? ColumnKind.Numeric : null;
    }

    private static string Describe(Field field) => field is DataField data ? (data.IsArray ? "a list" : $"of type {data.ClrType.Name}") : $"a nested {field.SchemaType} field";
}

using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Parquet;
using Encoding = Parquet.Meta.Encoding;
using PhysicalType = Parquet.Meta.Type;
using Parquet.Schema;
using Snr.Core.Tabular;

namespace Snr.Data.Parquet;

/// <summary>
/// Reads one column of a row group in its own type into a <see cref="RowChunk"/> filled column by
/// column: numbers as numbers (<see cref="RowChunk.SetNumbers"/>), strings and booleans as distinct
/// texts with an index per row (<see cref="RowChunk.SetTexts"/>), a null as missing. The buffers
/// are kept for the next row group.
/// </summary>
internal abstract class ParquetColumn(DataField field)
{
    /// <summary>The column's field in the file's schema.</summary>
    protected DataField Field { get; } = field;

    /// <summary>Reads the column of <paramref name="group"/> (<paramref name="rows"/> values) into column <paramref name="column"/> of <paramref name="chunk"/>.</summary>
    public abstract Task ReadInto(ParquetRowGroupReader group, int rows, RowChunk chunk, int column);

    /// <summary>True for the types Parquet.Net gives a string column (<c>ReadOnlyMemory&lt;char&gt;</c> in Parquet.Net 6).</summary>
    public static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    /// <summary>True for the integer, floating-point and decimal types read as numbers.</summary>
    public static bool IsNumber(Type type) =>
        type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(decimal);

    /// <summary>The reader of <paramref name="field"/>, a flat column of a type <see cref="IsText"/>, <see cref="IsNumber"/> or bool, in <paramref name="file"/>.</summary>
    /// <exception cref="NotSupportedException">Another type.</exception>
    public static ParquetColumn For(DataField field, SafeFileHandle file)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        var pages = new ColumnChunkPages(file, field.MaxDefinitionLevel);
        if (IsText(type)) return new Texts(field, pages);
        if (type == typeof(bool)) return new Booleans(field);
        // Floating-point numbers read as their round-trippable texts ("R"), as float.ToString() writes them; the rest in their default format.
        // The four types whose values are stored in a physical type of their own width are read from the pages here (on a
        // little-endian machine, as the file stores them); the others through Parquet.Net.
        bool direct = BitConverter.IsLittleEndian;
        return type == typeof(float) ? new Numbers<float>(field, "R", direct ? (pages, PhysicalType.FLOAT) : null)
            : type == typeof(double) ? new Numbers<double>(field, "R", direct ? (pages, PhysicalType.DOUBLE) : null)
            : type == typeof(int) ? new Numbers<int>(field, null, direct ? (pages, PhysicalType.INT32) : null)
            : type == typeof(long) ? new Numbers<long>(field, null, direct ? (pages, PhysicalType.INT64) : null)
            : type == typeof(short) ? new Numbers<short>(field)
            : type == typeof(sbyte) ? new Numbers<sbyte>(field)
            : type == typeof(byte) ? new Numbers<byte>(field)
            : type == typeof(ushort) ? new Numbers<ushort>(field)
            : type == typeof(uint) ? new Numbers<uint>(field)
            : type == typeof(ulong) ? new Numbers<ulong>(field)
            : type == typeof(decimal) ? new Numbers<decimal>(field)
            : throw new NotSupportedException($"column '{field.Name}' is of type {type.Name}");
    }

    private int[] _levels = [];

    /// <summary>
    /// Reads the column's values without nulls into <paramref name="values"/> (which must hold
    /// <paramref name="rows"/>) and returns the definition levels (one per row; a row is null when
    /// its level is below the field's maximum), or null when the column cannot hold nulls.
    /// </summary>
    protected async Task<int[]?> ReadRaw<T>(ParquetRowGroupReader group, int rows, T[] values) where T : struct
    {
        if (Field.MaxDefinitionLevel == 0)
        {
            await group.ReadRawAsync<T>(Field, values.AsMemory(0, rows), null, null);
            return null;
        }
        if (_levels.Length < rows) _levels = new int[rows];
        await group.ReadRawAsync<T>(Field, values.AsMemory(0, rows), _levels.AsMemory(0, rows), null);
        return _levels;
    }

    /// <summary>Grows <paramref name="buffer"/> to hold <paramref name="rows"/> values.</summary>
    protected static T[] Room<T>(T[] buffer, int rows) => buffer.Length >= rows ? buffer : new T[rows];

    // Numbers: from the pages by ColumnChunkPages when given its physical type and the column chunk is in a codec and
    // encodings it reads, else through Parquet.Net.
    private sealed class Numbers<T>(DataField field, string? format = null, (ColumnChunkPages Reader, PhysicalType Type)? pages = null) : ParquetColumn(field)
        where T : unmanaged, INumberBase<T>, ISpanFormattable
    {
        private readonly NumberPageValues<T> _pageValues = new();
        private T[] _values = [];
        private bool[] _missing = [];

        public override async Task ReadInto(ParquetRowGroupReader group, int rows, RowChunk chunk, int column)
        {
            var metadata = group.GetMetadata(Field);
            if (pages is var (reader, type) && ColumnChunkPages.CanRead(metadata, type) && reader.TryRead(metadata!, rows, _pageValues))
            {
                chunk.SetNumbers<T>(column, _pageValues.Values(rows), Field.MaxDefinitionLevel == 0 ? [] : _pageValues.Missing(rows), format);
                return;
            }
            _values = Room(_values, rows);
            var levels = await ReadRaw(group, rows, _values);
            if (levels is null)
            {
                chunk.SetNumbers<T>(column, _values.AsSpan(0, rows), [], format);
                return;
            }
            // Spread the values without nulls to their rows, from the end (a value only moves to a later row).
            _missing = Room(_missing, rows);
            int defined = 0, max = Field.MaxDefinitionLevel;
            for (int r = 0; r < rows; r++) defined += levels[r] == max ? 1 : 0;
            for (int r = rows - 1, v = defined - 1; r >= 0; r--)
            {
                _missing[r] = levels[r] != max;
                _values[r] = _missing[r] ? default : _values[v--];
            }
            chunk.SetNumbers<T>(column, _values.AsSpan(0, rows), _missing.AsSpan(0, rows), format);
        }
    }

    // Strings: from the pages by ColumnChunkPages where it reads the column chunk's codec and encodings (a distinct text
    // per distinct value, no object per value), else through Parquet.Net. Parquet.Net decodes a dictionary-encoded
    // column chunk's dictionary once, each entry into its own array, and gives every row the memory of its entry, so rows
    // that share an array share a distinct text (found by reference, without comparing characters). A plain-encoded chunk
    // gives each row its own array: each is its own distinct text.
    private sealed class Texts(DataField field, ColumnChunkPages pages) : ParquetColumn(field)
    {
        private readonly StringPageValues _pageValues = new();
        private ReadOnlyMemory<char>[] _values = [];
        private ReadOnlyMemory<char>[] _distinct = [];
        private int[] _rowValues = [];
        private readonly Dictionary<object, int> _byArray = new(ReferenceEqualityComparer.Instance);

        public override async Task ReadInto(ParquetRowGroupReader group, int rows, RowChunk chunk, int column)
        {
            var metadata = group.GetMetadata(Field);
            if (ColumnChunkPages.CanRead(metadata, PhysicalType.BYTE_ARRAY) && pages.TryRead(metadata!, rows, _pageValues))
            {
                chunk.SetTexts(column, _pageValues.Texts(), _pageValues.RowValues(rows));
                return;
            }
            _values = Room(_values, rows);
            _distinct = Room(_distinct, rows + 1);
            _rowValues = Room(_rowValues, rows);
            var levels = await ReadRaw(group, rows, _values);
            bool dictionary = metadata?.MetaData?.Encodings?.Any(e => e is Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY) == true;
            _byArray.Clear();
            int distinct = 0, missing = -1, max = Field.MaxDefinitionLevel;
            for (int r = 0, v = 0; r < rows; r++)
            {
                if (levels is not null && levels[r] != max)
                {
                    if (missing < 0) _distinct[missing = distinct++] = ReadOnlyMemory<char>.Empty;
                    _rowValues[r] = missing;
                    continue;
                }
                var value = _values[v++];
                if (dictionary && MemoryMarshal.TryGetArray(value, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length)
                {
                    ref int known = ref CollectionsMarshal.GetValueRefOrAddDefault(_byArray, array, out bool seen);
                    if (!seen)
                    {
                        known = distinct;
                        _distinct[distinct++] = value;
                    }
                    _rowValues[r] = known;
                }
                else
                {
                    _distinct[distinct] = value;
                    _rowValues[r] = distinct++;
                }
            }
            chunk.SetTexts(column, _distinct.AsSpan(0, distinct), _rowValues.AsSpan(0, rows));
            Array.Clear(_values, 0, rows); // the texts stay referenced by the chunk, not by this buffer
        }
    }

    private sealed class Booleans(DataField field) : ParquetColumn(field)
    {
        private static readonly ReadOnlyMemory<char>[] Distinct = ["false".AsMemory(), "true".AsMemory(), ReadOnlyMemory<char>.Empty];
        private bool[] _values = [];
        private int[] _rowValues = [];

        public override async Task ReadInto(ParquetRowGroupReader group, int rows, RowChunk chunk, int column)
        {
            _values = Room(_values, rows);
            _rowValues = Room(_rowValues, rows);
            var levels = await ReadRaw(group, rows, _values);
            int max = Field.MaxDefinitionLevel;
            for (int r = 0, v = 0; r < rows; r++)
                _rowValues[r] = levels is not null && levels[r] != max ? 2 : _values[v++] ? 1 : 0;
            chunk.SetTexts(column, Distinct, _rowValues.AsSpan(0, rows));
        }
    }
}

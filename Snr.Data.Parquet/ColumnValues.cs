using Parquet;
using Parquet.Schema;
using Snr.Core.Tabular;

namespace Snr.Data.Parquet;

/// <summary>
/// One column of a Parquet row group, read whole in its own type, that adds its values to the rows
/// of a <see cref="RowChunk"/> as texts: numbers formatted straight into the chunk (no string per
/// value), a null as the empty field.
/// </summary>
internal abstract class ColumnValues
{
    /// <summary>Adds the value of row <paramref name="row"/> as the next field of <paramref name="chunk"/>'s current row.</summary>
    public abstract void AddTo(RowChunk chunk, int row, int position);

    /// <summary>True for the types Parquet.Net gives a string column (<c>ReadOnlyMemory&lt;char&gt;</c> in Parquet.Net 6).</summary>
    public static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    /// <summary>True for the integer, floating-point and decimal types read as numbers.</summary>
    public static bool IsNumber(Type type) =>
        type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(decimal);

    /// <summary>Reads <paramref name="field"/> of <paramref name="group"/> (<paramref name="rows"/> values).</summary>
    public static async Task<ColumnValues> Read(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (IsText(type))
        {
            var strings = new string?[rows];
            await group.ReadAsync(field, strings.AsMemory());
            return new Texts(strings);
        }
        if (type == typeof(bool))
        {
            var (flags, nulls) = await ReadValues<bool>(group, field, rows);
            return new Texts([.. flags.Select((v, r) => nulls?[r] == true ? null : v ? "true" : "false")]);
        }
        // Floating-point numbers round-trippable ("R"), as float.ToString() writes them; the rest in their default format.
        return type == typeof(float) ? await Numbers<float>.Read(group, field, rows, "R")
            : type == typeof(double) ? await Numbers<double>.Read(group, field, rows, "R")
            : type == typeof(int) ? await Numbers<int>.Read(group, field, rows)
            : type == typeof(long) ? await Numbers<long>.Read(group, field, rows)
            : type == typeof(short) ? await Numbers<short>.Read(group, field, rows)
            : type == typeof(sbyte) ? await Numbers<sbyte>.Read(group, field, rows)
            : type == typeof(byte) ? await Numbers<byte>.Read(group, field, rows)
            : type == typeof(ushort) ? await Numbers<ushort>.Read(group, field, rows)
            : type == typeof(uint) ? await Numbers<uint>.Read(group, field, rows)
            : type == typeof(ulong) ? await Numbers<ulong>.Read(group, field, rows)
            : type == typeof(decimal) ? await Numbers<decimal>.Read(group, field, rows)
            : throw new NotSupportedException($"column '{field.Name}' is of type {type.Name}");
    }

    private sealed class Texts(string?[] values) : ColumnValues
    {
        public override void AddTo(RowChunk chunk, int row, int position) => chunk.AddField(values[row] ?? "", position);
    }

    private sealed class Numbers<T>(T[] values, bool[]? nulls, string? format) : ColumnValues where T : struct, ISpanFormattable
    {
        public static async Task<ColumnValues> Read(ParquetRowGroupReader group, DataField field, int rows, string? format = null)
        {
            var (values, nulls) = await ReadValues<T>(group, field, rows);
            return new Numbers<T>(values, nulls, format);
        }

        public override void AddTo(RowChunk chunk, int row, int position)
        {
            if (nulls?[row] == true) chunk.AddField([], position);
            else chunk.AddField(values[row], position, format);
        }
    }

    // The values of a column of a value type, and which are null (no array when the column cannot hold nulls).
    private static async Task<(T[] Values, bool[]? Nulls)> ReadValues<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        if (!field.IsNullable)
        {
            var values = new T[rows];
            await group.ReadAsync(field, values.AsMemory());
            return (values, null);
        }
        var nullable = new T?[rows];
        await group.ReadAsync(field, nullable.AsMemory());
        var nulls = new bool[rows];
        var present = new T[rows];
        for (int r = 0; r < rows; r++)
        {
            if (nullable[r] is { } v) present[r] = v;
            else nulls[r] = true;
        }
        return (present, nulls);
    }
}

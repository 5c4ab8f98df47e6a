using System.Globalization;
using Parquet;
using Parquet.Schema;
using Snr.Core.Tabular;

namespace Snr.Data.Parquet;

/// <summary>
/// Reads a Parquet file as a <see cref="RawTable"/>, so it trains, evaluates and predicts as a
/// CSV file does. Values become the texts a CSV file would hold (numbers in invariant culture,
/// round-trippable); a null is a missing value. Only flat columns of strings, booleans, integers
/// and floating-point numbers are read.
/// </summary>
public static class ParquetTable
{
    /// <summary>True when <paramref name="path"/> names a Parquet file (by its extension, <c>.parquet</c>).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads every row of the file. The row numbers in errors count data rows from 1 and the
    /// column numbers count columns from 1.
    /// </summary>
    /// <returns>The table and the kind each column's Parquet type implies: numbers are <see cref="ColumnKind.Numeric"/>, strings and booleans <see cref="ColumnKind.Categorical"/>.</returns>
    /// <exception cref="CsvFormatException">The file is not Parquet, has no rows, or has a column of a type that is not read (nested, binary, dates); the message names the file, and the column.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static (RawTable Table, IReadOnlyDictionary<string, ColumnKind> Kinds) Load(string path) => LoadAsync(path).GetAwaiter().GetResult();

    private static async Task<(RawTable, IReadOnlyDictionary<string, ColumnKind>)> LoadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new CsvFormatException(path, 0, 0, $"not a readable Parquet file ({e.Message})");
        }
        await using (reader)
        {
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
            var builder = new RawTable.Builder(path, [.. dataFields.Select(f => f.Name)]);
            var texts = new string?[dataFields.Length][];
            var row = new string[dataFields.Length];
            long rowNumber = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                for (int c = 0; c < dataFields.Length; c++)
                {
                    try
                    {
                        texts[c] = await ReadTexts(group, dataFields[c], rows);
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
                    {
                        throw new CsvFormatException(path, rowNumber + 1, c + 1, $"column '{dataFields[c].Name}' of row group {g} cannot be read ({e.Message})");
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < row.Length; c++) row[c] = texts[c]![r] ?? "";
                    builder.AddRow(row, ++rowNumber);
                }
            }
            if (rowNumber == 0) throw new CsvFormatException(path, 0, 0, "the file has no rows");
            return (builder.Build(), kinds);
        }
    }

    private static ColumnKind? KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsText(type) || type == typeof(bool)) return ColumnKind.Categorical;
        if (type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long) || type == typeof(short)
            || type == typeof(sbyte) || type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(decimal))
            return ColumnKind.Numeric;
        return null;
    }

    // Parquet.Net 6 gives a string column the type ReadOnlyMemory<char>.
    private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    private static string Describe(Field field) => field is DataField data ? (data.IsArray ? "a list" : $"of type {data.ClrType.Name}") : $"a nested {field.SchemaType} field";

    // One column of a row group as texts (null where the value is null).
    private static async Task<string?[]> ReadTexts(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (IsText(type))
        {
            var strings = new string?[rows];
            await group.ReadAsync(field, strings.AsMemory());
            return strings;
        }
        return type == typeof(bool) ? await Texts<bool>(group, field, rows, v => v ? "true" : "false")
            : type == typeof(float) ? await Texts<float>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture))
            : type == typeof(double) ? await Texts<double>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture))
            : type == typeof(int) ? await Texts<int>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(long) ? await Texts<long>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(short) ? await Texts<short>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(sbyte) ? await Texts<sbyte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(byte) ? await Texts<byte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(ushort) ? await Texts<ushort>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(uint) ? await Texts<uint>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : type == typeof(ulong) ? await Texts<ulong>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture))
            : await Texts<decimal>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<string?[]> Texts<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, string> text) where T : struct
    {
        var texts = new string?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync(field, values.AsMemory());
            for (int r = 0; r < rows; r++) texts[r] = values[r] is { } v ? text(v) : null;
        }
        else
        {
            var values = new T[rows];
            await group.ReadAsync(field, values.AsMemory());
            for (int r = 0; r < rows; r++) texts[r] = text(values[r]);
        }
        return texts;
    }
}

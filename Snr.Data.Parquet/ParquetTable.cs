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
    /// Reads every row of the file (through <see cref="ParquetChunkSource"/>, a row group at a time).
    /// The row numbers in errors count data rows from 1 and the column numbers count columns from 1.
    /// </summary>
    /// <returns>The table and the kind each column's Parquet type implies: numbers are <see cref="ColumnKind.Numeric"/>, strings and booleans <see cref="ColumnKind.Categorical"/>.</returns>
    /// <exception cref="CsvFormatException">The file is not Parquet, has no rows, or has a column of a type that is not read (nested, binary, dates); the message names the file, and the column.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static (RawTable Table, IReadOnlyDictionary<string, ColumnKind> Kinds) Load(string path)
    {
        using var source = ParquetChunkSource.Open(path);
        var builder = new RawTable.Builder(path, source.ColumnNames);
        var chunk = new RowChunk(path, source.ColumnNames);
        var row = new string[source.ColumnNames.Count];
        for (int g = 0; source.TryReadChunk(g, chunk); g++)
            for (int r = 0; r < chunk.RowCount; r++)
            {
                for (int c = 0; c < row.Length; c++) row[c] = chunk.Field(r, c).ToString();
                builder.AddRow(row, chunk.Line(r));
            }
        if (source.RowCount == 0) throw new CsvFormatException(path, 0, 0, "the file has no rows");
        return (builder.Build(), source.ImpliedKinds);
    }
}

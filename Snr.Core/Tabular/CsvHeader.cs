namespace Snr.Core.Tabular;

/// <summary>The header row of a CSV file, as every CSV reader takes it.</summary>
internal static class CsvHeader
{
    /// <summary>
    /// The column names: the first record of <paramref name="reader"/> when the options say the file has a header,
    /// else <paramref name="columnNames"/>.
    /// </summary>
    /// <exception cref="CsvFormatException">The file is empty, or its header is one column holding another common delimiter: the file was almost certainly written with that delimiter (the message names it).</exception>
    /// <exception cref="ArgumentException">Neither a header nor column names.</exception>
    public static IReadOnlyList<string> Read(CsvReader reader, CsvOptions options, IReadOnlyList<string>? columnNames)
    {
        if (!options.HasHeader) return columnNames ?? throw new ArgumentException("A file without a header needs column names.", nameof(columnNames));
        if (!reader.Read()) throw new CsvFormatException(reader.FileName, 0, 0, "the file is empty (no header)");
        string[] names = [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString())];
        if (names.Length == 1 && CsvOptions.CommonDelimiters.FirstOrDefault(d => d != options.Delimiter && names[0].Contains(d)) is var other and not '\0')
            throw new CsvFormatException(reader.FileName, reader.Line, 0,
                $"the header is one column, '{names[0]}', which contains {Shown(other)}: the delimiter is probably {Shown(other)}, not {Shown(options.Delimiter)} (set CsvOptions.Delimiter, or --delimiter on the command line)");
        return names;
    }

    private static string Shown(char delimiter) => delimiter == '\t' ? "a tab" : $"'{delimiter}'";
}

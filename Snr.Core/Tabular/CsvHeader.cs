namespace Snr.Core.Tabular;

/// <summary>The check every CSV reader makes of a header row.</summary>
internal static class CsvHeader
{
    /// <summary>Refuses a header that is one column holding another common delimiter: the file was almost certainly written with that delimiter.</summary>
    /// <exception cref="CsvFormatException">The header is such a column (the message names the probable delimiter).</exception>
    public static void Check(IReadOnlyList<string> names, CsvOptions options, string file, long line)
    {
        if (names.Count == 1 && CsvOptions.CommonDelimiters.FirstOrDefault(d => d != options.Delimiter && names[0].Contains(d)) is var other and not '\0')
            throw new CsvFormatException(file, line, 0,
                $"the header is one column, '{names[0]}', which contains {Shown(other)}: the delimiter is probably {Shown(other)}, not {Shown(options.Delimiter)} (set CsvOptions.Delimiter, or --delimiter on the command line)");
    }

    private static string Shown(char delimiter) => delimiter == '\t' ? "a tab" : $"'{delimiter}'";
}

namespace Snr.Core.Tabular;

/// <summary>How a delimited text file is laid out.</summary>
/// <param name="Delimiter">The field separator, one ASCII character: <c>,</c> by default, <c>;</c> or a tab for files written with those.</param>
/// <param name="HasHeader">Whether the first record names the columns.</param>
/// <param name="TrimFields">Whether spaces around unquoted fields are removed (Census-Income writes ", ").</param>
public sealed record CsvOptions(char Delimiter = ',', bool HasHeader = true, bool TrimFields = true)
{
    /// <summary>Comma-separated with a header row, fields trimmed.</summary>
    public static CsvOptions Default { get; } = new();

    /// <summary>The delimiters a header is checked for when it has a single column (see <see cref="RawTable.Load(CsvReader, CsvOptions, IReadOnlyList{string})"/>).</summary>
    public static IReadOnlyList<char> CommonDelimiters { get; } = [',', ';', '\t', '|'];

    /// <summary>Reads a delimiter as a user writes it: one character, or <c>tab</c> / <c>\t</c> for a tab.</summary>
    /// <exception cref="ArgumentException">Not one ASCII character (nor tab), or a quote, a newline or a letter/digit.</exception>
    public static char ParseDelimiter(string text)
    {
        char delimiter = text is "tab" or "\\t" ? '\t' : text.Length == 1 ? text[0] : '\0';
        if (delimiter is '\0' or '"' or '\n' or '\r' or > (char)0x7F || char.IsLetterOrDigit(delimiter))
            throw new ArgumentException($"The delimiter '{text}' is not one ASCII character other than a quote, a newline, a letter or a digit (for a tab write tab).");
        return delimiter;
    }
}

namespace Snr.Core.Tabular;

/// <summary>A data file that cannot be read as the schema says, with the file, line and column at fault.</summary>
public sealed class CsvFormatException : FormatException
{
    /// <summary>Creates the exception; the message is prefixed with <c>file:line:column: </c>.</summary>
    public CsvFormatException(string file, long line, int column, string reason, Exception? inner = null)
        : base($"{file}:{line}:{column}: {reason}", inner)
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file (as given by the caller).</summary>
    public string File { get; }

    /// <summary>1-based line number (0 when the problem is the file as a whole).</summary>
    public long Line { get; }

    /// <summary>1-based character column of the field at fault (0 when the problem is the whole line or file).</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }
}

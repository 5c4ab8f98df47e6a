namespace Snr.Cli;

/// <summary>Text fields of the CSV files the commands write (scores, sweep results), quoted as RFC 4180 asks.</summary>
internal static class CsvField
{
    /// <summary>The field as it stands in a CSV line: quoted (inner quotes doubled) when it holds a comma, a quote or a line break.</summary>
    public static string Of(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

namespace Snr.Core.Tabular;

/// <summary>How a delimited text file is laid out.</summary>
/// <param name="Delimiter">The field separator.</param>
/// <param name="HasHeader">Whether the first record names the columns.</param>
/// <param name="TrimFields">Whether spaces around unquoted fields are removed (Census-Income writes ", ").</param>
public sealed record CsvOptions(char Delimiter = ',', bool HasHeader = true, bool TrimFields = true)
{
    /// <summary>Comma-separated with a header row, fields trimmed.</summary>
    public static CsvOptions Default { get; } = new();
}

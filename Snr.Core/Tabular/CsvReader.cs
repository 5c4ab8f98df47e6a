using System.IO.Compression;
using System.Text;

namespace Snr.Core.Tabular;

/// <summary>
/// Streams the records of a delimited text file (RFC 4180 quoting: a field in double quotes
/// may hold the delimiter, newlines and doubled quotes <c>""</c>). A <c>.gz</c> file is
/// decompressed on the fly. Text must be UTF-8; invalid bytes are reported with their line.
/// </summary>
/// <remarks>
/// One record is in memory at a time: fields are handed out as spans of a reused buffer, so
/// callers that keep values (dictionary-encoding them, parsing numbers) never hold the text twice.
/// </remarks>
public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly CsvOptions _options;
    private readonly StringBuilder _record = new();
    private readonly List<(int Start, int Length, int Column)> _fields = [];
    private string _text = "";

    /// <summary>Opens <paramref name="path"/> (gzip-decompressed when it ends in <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public CsvReader(string path, CsvOptions options)
        : this(Open(path), path, options)
    {
    }

    /// <summary>
    /// Reads from <paramref name="stream"/> (gzip-decompressed when <paramref name="gzip"/>), for
    /// data that is not a file, such as an embedded resource; <paramref name="name"/> names it in
    /// error messages. The reader owns the stream.
    /// </summary>
    public CsvReader(Stream stream, string name, CsvOptions options, bool gzip = false)
        : this(Open(stream, gzip), name, options)
    {
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> names it in error messages.</summary>
    public CsvReader(TextReader reader, string name, CsvOptions options)
    {
        _reader = reader;
        _options = options;
        FileName = name;
    }

    /// <summary>The file name used in error messages.</summary>
    public string FileName { get; }

    /// <summary>The line on which the current record starts (1-based).</summary>
    public long Line { get; private set; }

    private long _nextLine = 1;

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount => _fields.Count;

    /// <summary>Field <paramref name="index"/> of the current record (quotes removed, trimmed if the options say so).</summary>
    public ReadOnlySpan<char> Field(int index) => _text.AsSpan(_fields[index].Start, _fields[index].Length);

    /// <summary>The 1-based character column at which field <paramref name="index"/> starts on its line.</summary>
    public int FieldColumn(int index) => _fields[index].Column;

    /// <summary>Advances to the next non-empty record; false at the end of the file.</summary>
    /// <exception cref="CsvFormatException">Invalid UTF-8, or a quoted field that never closes.</exception>
    public bool Read()
    {
        string? line;
        do
        {
            line = ReadLine();
            if (line is null) return false;
        }
        while (line.Length == 0 || (line.Length == 1 && line[0] == '\r'));

        Line = _nextLine - 1;
        _record.Clear();
        _fields.Clear();
        Split(line);
        _text = _record.ToString();
        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _reader.Dispose();

    // Splits one record (reading continuation lines while a quoted field is open) into _record and _fields.
    private void Split(string line)
    {
        int position = 0;
        while (true)
        {
            int start = _record.Length, fieldColumn = position + 1;
            // Leading spaces before an opening quote are not part of the field.
            int scan = position;
            while (_options.TrimFields && scan < line.Length && line[scan] == ' ' && _options.Delimiter != ' ') scan++;
            if (scan < line.Length && line[scan] == '"')
            {
                position = scan + 1;
                while (true)
                {
                    if (position >= line.Length)
                    {
                        string? next = ReadLine() ?? throw new CsvFormatException(FileName, Line, fieldColumn, "a quoted field is not closed before the end of the file");
                        _record.Append('\n');
                        line = next;
                        position = 0;
                        continue;
                    }
                    char c = line[position++];
                    if (c != '"') { _record.Append(c); continue; }
                    if (position < line.Length && line[position] == '"') { _record.Append('"'); position++; continue; }
                    break; // closing quote
                }
                while (position < line.Length && line[position] != _options.Delimiter) position++; // text after the closing quote is ignored
            }
            else
            {
                int end = line.IndexOf(_options.Delimiter, position);
                if (end < 0) end = line.Length;
                ReadOnlySpan<char> raw = line.AsSpan(position, end - position).TrimEnd('\r');
                if (_options.TrimFields) raw = raw.Trim(' ');
                _record.Append(raw);
                position = end;
            }
            _fields.Add((start, _record.Length - start, fieldColumn));
            if (position >= line.Length) return;
            position++; // the delimiter
        }
    }

    private string? ReadLine()
    {
        try
        {
            string? line = _reader.ReadLine();
            if (line is not null) _nextLine++;
            return line;
        }
        catch (DecoderFallbackException e)
        {
            throw new CsvFormatException(FileName, _nextLine, 0, "the text is not valid UTF-8", e);
        }
    }

    private static StreamReader Open(string path) => Open(File.OpenRead(path), path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));

    private static StreamReader Open(Stream stream, bool gzip)
    {
        if (gzip) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }
}

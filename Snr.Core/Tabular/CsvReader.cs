using System.IO.Compression;

namespace Snr.Core.Tabular;

/// <summary>
/// Streams the records of a delimited text file (RFC 4180 quoting: a field in double quotes
/// may hold the delimiter, newlines and doubled quotes <c>""</c>). A <c>.gz</c> file is
/// decompressed on the fly. Text must be UTF-8; invalid bytes are reported with their line.
/// </summary>
/// <remarks>
/// One record is in memory at a time: fields are handed out as spans of a reused buffer, so
/// callers that keep values (dictionary-encoding them, parsing numbers) never hold the text twice.
/// The records are split by the chunked reader's splitter (<see cref="CsvChunkSource"/>), so both
/// read a file the same way.
/// </remarks>
public sealed class CsvReader : IDisposable
{
    private readonly Stream _stream;
    private readonly CsvByteSplitter _splitter;
    private readonly List<(int Start, int Length, int Column)> _fields = [];
    private char[] _text = new char[256];
    private int _textLength;

    /// <summary>Opens <paramref name="path"/> (gzip-decompressed when it ends in <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ArgumentException">The delimiter is not an ASCII character.</exception>
    public CsvReader(string path, CsvOptions options)
        : this(File.OpenRead(path), path, options, path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
    {
    }

    /// <summary>
    /// Reads from <paramref name="stream"/> (gzip-decompressed when <paramref name="gzip"/>), for
    /// data that is not a file, such as an embedded resource; <paramref name="name"/> names it in
    /// error messages. The reader owns the stream.
    /// </summary>
    /// <exception cref="ArgumentException">The delimiter is not an ASCII character.</exception>
    public CsvReader(Stream stream, string name, CsvOptions options, bool gzip = false)
    {
        _stream = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        FileName = name;
        try
        {
            _splitter = new CsvByteSplitter(_stream, name, options);
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> names it in error messages.</summary>
    /// <exception cref="ArgumentException">The delimiter is not an ASCII character.</exception>
    public CsvReader(TextReader reader, string name, CsvOptions options)
        : this(new Utf8TextStream(reader), name, options)
    {
    }

    /// <summary>The splitter under this reader, for a reader that reads on from here in another way (chunks).</summary>
    internal CsvByteSplitter Splitter => _splitter;

    /// <summary>The file name used in error messages.</summary>
    public string FileName { get; }

    /// <summary>The line on which the current record starts (1-based).</summary>
    public long Line { get; private set; }

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
        var sink = new FieldSink(this);
        sink.Discard();
        if (!_splitter.Next(ref sink, out long line)) return false;
        Line = line;
        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    // Keeps the fields of the record being split in _text and _fields.
    private readonly struct FieldSink(CsvReader reader) : CsvByteSplitter.IFieldSink
    {
        public void Add(ReadOnlySpan<char> text, int column)
        {
            int start = reader._textLength;
            if (start + text.Length > reader._text.Length) Array.Resize(ref reader._text, Math.Max(reader._text.Length * 2, start + text.Length));
            text.CopyTo(reader._text.AsSpan(start));
            reader._textLength = start + text.Length;
            reader._fields.Add((start, text.Length, column));
        }

        public void Discard()
        {
            reader._textLength = 0;
            reader._fields.Clear();
        }
    }
}

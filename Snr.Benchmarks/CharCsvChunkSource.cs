using System.Buffers;
using System.Text;
using System.Text.Unicode;

using Snr.Core.Tabular;

namespace Snr.Benchmarks;

/// <summary>
/// The reference of <see cref="CsvProducerBenchmarks"/>: <see cref="CsvChunkSource"/> as it was before the byte splitter
/// (commit 424aafd, unchanged but for its name and the header check, which is internal to Snr.Core): the file decoded to
/// UTF-16 a block at a time, then each field's end found by an <c>IndexOfAny</c> call. Kept only to measure against.
/// </summary>
public sealed class CharCsvChunkSource : IRowChunkSource
{
    /// <summary>The default number of records a chunk holds.</summary>
    public const int DefaultChunkRows = 65_536;

    private const int ByteBlock = 1 << 20;
    private static readonly SearchValues<char> LineEnds = SearchValues.Create("\r\n");

    private readonly CsvOptions _options;
    private readonly FileStream _stream;
    private readonly List<(long Offset, long Line)> _chunkStarts = [];
    private readonly byte[] _bytes = new byte[ByteBlock];
    private readonly SearchValues<char> _fieldEnds;
    private char[] _chars = new char[ByteBlock];
    private char[] _quoted = new char[256];
    private int _byteStart, _byteEnd, _charCount, _pos;
    private long _windowOffset, _line;
    private bool _fileEnd, _invalidText;
    private int _chunks = -1;     // known once a read has found the end of the file
    private int _nextChunk = -1;  // the chunk that starts at the reading position, or -1 after a seek elsewhere
    private RowChunk? _scratch;

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header (or takes <paramref name="columnNames"/>
    /// when the options say there is none).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CsvFormatException">The file is empty, its header is one column holding another common delimiter, it is not UTF-8, or it is gzip-compressed.</exception>
    /// <exception cref="ArgumentException">Neither a header nor column names, or <paramref name="chunkRows"/> is not positive.</exception>
    public CharCsvChunkSource(string path, CsvOptions options, int chunkRows = DefaultChunkRows, IReadOnlyList<string>? columnNames = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new CsvFormatException(path, 0, 0, "a gzip file cannot be read in chunks (they are read in a shuffled order, which needs seeking); decompress it first");
        Name = path;
        _options = options;
        ChunkRows = chunkRows;
        _fieldEnds = SearchValues.Create([options.Delimiter, '\r', '\n']);
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            _line = 1;
            SkipByteOrderMark();
            if (options.HasHeader)
            {
                var header = new HeaderSink();
                if (Next(ref header, out _) != Record.Read) throw new CsvFormatException(path, 0, 0, "the file is empty (no header)");
                ColumnNames = header.Names;
            }
            else
            {
                ColumnNames = columnNames ?? throw new ArgumentException("A file without a header needs column names.", nameof(columnNames));
            }
            _chunkStarts.Add((Offset(), _line));
            _nextChunk = 0;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ColumnNames { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, ColumnKind> ImpliedKinds { get; } = new Dictionary<string, ColumnKind>();

    /// <summary>The number of records per chunk (the last chunk may hold fewer).</summary>
    public int ChunkRows { get; }

    /// <inheritdoc />
    public int ChunkCount
    {
        get
        {
            _scratch ??= new RowChunk(Name, ColumnNames);
            while (_chunks < 0) TryReadChunk(_chunkStarts.Count - 1, _scratch);
            return _chunks;
        }
    }

    /// <inheritdoc />
    public bool TryReadChunk(int index, RowChunk destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.BeginRead(this, index);
        if (_chunks >= 0 && index >= _chunks) return false;
        // A chunk whose start is not known yet: read the ones before it to find it.
        if (index >= _chunkStarts.Count)
        {
            _scratch ??= new RowChunk(Name, ColumnNames);
            while (index >= _chunkStarts.Count && _chunks < 0) TryReadChunk(_chunkStarts.Count - 1, _scratch);
            destination.Clear(index);
            if (_chunks >= 0 && index >= _chunks) return false;
        }
        if (_nextChunk != index) Seek(_chunkStarts[index]);
        var sink = new ChunkSink(destination);
        while (destination.RowCount < ChunkRows)
        {
            Record record = Next(ref sink, out long line);
            if (record == Record.End) break;
            destination.EndRow(line);
        }
        if (destination.RowCount == ChunkRows)
        {
            if (index + 1 == _chunkStarts.Count) _chunkStarts.Add((Offset(), _line));
            _nextChunk = index + 1;
        }
        else
        {
            _chunks = destination.RowCount == 0 ? index : index + 1;
            _nextChunk = -1;
        }
        return destination.RowCount > 0;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private enum Record { Read, End }

    // Reads the next record into the sink, skipping blank lines; End at the end of the file.
    private Record Next<TSink>(ref TSink sink, out long line) where TSink : struct, IFieldSink
    {
        while (true)
        {
            var result = TryParse(ref sink, out line);
            if (result != Parse.NeedMore) return result == Parse.Record ? Record.Read : Record.End;
            sink.Discard();
            if (!Refill())
            {
                if (_invalidText) throw new CsvFormatException(Name, _line + _chars.AsSpan(_pos, _charCount - _pos).Count('\n'), 0, "the text is not valid UTF-8");
                throw new InvalidOperationException("The CSV reader asked for more text at the end of the file.");
            }
        }
    }

    private enum Parse { Record, End, NeedMore }

    // Parses one record from the decoded window at _pos; NeedMore when the window ends before the record does (nothing is consumed then).
    private Parse TryParse<TSink>(ref TSink sink, out long recordLine) where TSink : struct, IFieldSink
    {
        bool final = _fileEnd && _byteStart == _byteEnd && !_invalidText;
        var chars = _chars.AsSpan(0, _charCount);
        int p = _pos;
        long line = _line;
        recordLine = line;
        while (true) // blank lines
        {
            if (p >= chars.Length) return final ? Parse.End : Parse.NeedMore;
            char c = chars[p];
            if (c == '\n') { p++; line++; continue; }
            if (c != '\r') break;
            if (p + 1 >= chars.Length && !final) return Parse.NeedMore;
            p += p + 1 < chars.Length && chars[p + 1] == '\n' ? 2 : 1;
            line++;
        }
        recordLine = line;
        int lineStart = p;
        char delimiter = _options.Delimiter;
        bool trim = _options.TrimFields;
        while (true)
        {
            int fieldColumn = p - lineStart + 1;
            int scan = p;
            while (trim && delimiter != ' ' && scan < chars.Length && chars[scan] == ' ') scan++;
            if (scan >= chars.Length && !final) return Parse.NeedMore;
            if (scan < chars.Length && chars[scan] == '"')
            {
                p = scan + 1;
                int length = 0;
                while (true)
                {
                    if (p >= chars.Length)
                    {
                        if (!final) return Parse.NeedMore;
                        throw new CsvFormatException(Name, recordLine, fieldColumn, "a quoted field is not closed before the end of the file");
                    }
                    char c = chars[p++];
                    if (c is '\n' or '\r')
                    {
                        if (c == '\r')
                        {
                            if (p >= chars.Length && !final) return Parse.NeedMore;
                            if (p < chars.Length && chars[p] == '\n') p++;
                        }
                        AppendQuoted(ref length, '\n');
                        line++;
                        lineStart = p;
                        continue;
                    }
                    if (c != '"') { AppendQuoted(ref length, c); continue; }
                    if (p >= chars.Length && !final) return Parse.NeedMore;
                    if (p < chars.Length && chars[p] == '"') { AppendQuoted(ref length, '"'); p++; continue; }
                    break; // the closing quote
                }
                int after = chars[p..].IndexOfAny(_fieldEnds);
                if (after < 0 && !final) return Parse.NeedMore;
                p = after < 0 ? chars.Length : p + after; // text after the closing quote is ignored
                sink.Add(_quoted.AsSpan(0, length), fieldColumn);
            }
            else
            {
                int end = chars[p..].IndexOfAny(_fieldEnds);
                if (end < 0 && !final) return Parse.NeedMore;
                end = end < 0 ? chars.Length : p + end;
                ReadOnlySpan<char> raw = chars[p..end];
                if (trim) raw = raw.Trim(' ');
                sink.Add(raw, fieldColumn);
                p = end;
            }
            if (p >= chars.Length) break; // the last record, without a line end
            if (chars[p] == delimiter)
            {
                p++;
                continue;
            }
            // A line end: \n, \r\n or a lone \r.
            if (chars[p] == '\r')
            {
                if (p + 1 >= chars.Length && !final) return Parse.NeedMore;
                p += p + 1 < chars.Length && chars[p + 1] == '\n' ? 2 : 1;
            }
            else p++;
            line++;
            break;
        }
        _pos = p;
        _line = line;
        return Parse.Record;
    }

    private void AppendQuoted(ref int length, char c)
    {
        if (length == _quoted.Length) Array.Resize(ref _quoted, _quoted.Length * 2);
        _quoted[length++] = c;
    }

    // Drops the window's text before _pos and decodes more of the file after what is left; false when nothing was added.
    private bool Refill()
    {
        if (_pos > 0)
        {
            _windowOffset += Encoding.UTF8.GetByteCount(_chars.AsSpan(0, _pos));
            _chars.AsSpan(_pos, _charCount - _pos).CopyTo(_chars);
            _charCount -= _pos;
            _pos = 0;
        }
        if (_charCount == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2); // one record longer than the window
        int before = _charCount;
        while (_charCount == before && !_invalidText)
        {
            if (!_fileEnd && _byteEnd - _byteStart < ByteBlock / 2)
            {
                _bytes.AsSpan(_byteStart, _byteEnd - _byteStart).CopyTo(_bytes);
                _byteEnd -= _byteStart;
                _byteStart = 0;
                int read = _stream.Read(_bytes, _byteEnd, _bytes.Length - _byteEnd);
                if (read == 0) _fileEnd = true;
                _byteEnd += read;
            }
            var status = Utf8.ToUtf16(_bytes.AsSpan(_byteStart, _byteEnd - _byteStart), _chars.AsSpan(_charCount), out int bytesRead, out int written,
                replaceInvalidSequences: false, isFinalBlock: _fileEnd);
            _byteStart += bytesRead;
            _charCount += written;
            if (status == OperationStatus.InvalidData) _invalidText = true;
            if (_fileEnd && _byteStart == _byteEnd) break;
        }
        return _charCount > before || (_fileEnd && _byteStart == _byteEnd && !_invalidText);
    }

    // The file offset of the reading position.
    private long Offset() => _windowOffset + Encoding.UTF8.GetByteCount(_chars.AsSpan(0, _pos));

    private void Seek((long Offset, long Line) start)
    {
        _stream.Position = start.Offset;
        _windowOffset = start.Offset;
        _line = start.Line;
        _byteStart = _byteEnd = _charCount = _pos = 0;
        _fileEnd = _invalidText = false;
    }

    private void SkipByteOrderMark()
    {
        Span<byte> head = stackalloc byte[3];
        int read = _stream.ReadAtLeast(head, 3, throwOnEndOfStream: false);
        bool bom = read == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
        Seek((bom ? 3 : 0, 1));
    }

    private interface IFieldSink
    {
        void Add(ReadOnlySpan<char> text, int column);

        void Discard();
    }

    private readonly struct ChunkSink(RowChunk chunk) : IFieldSink
    {
        public void Add(ReadOnlySpan<char> text, int column) => chunk.AddField(text, column);

        public void Discard() => chunk.DiscardPartialRow();
    }

    private struct HeaderSink() : IFieldSink
    {
        public List<string> Names { get; } = [];

        public readonly void Add(ReadOnlySpan<char> text, int column) => Names.Add(text.ToString());

        public readonly void Discard() => Names.Clear();
    }
}

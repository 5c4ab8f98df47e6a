namespace Snr.Core.Tabular;

/// <summary>
/// A CSV file read in chunks of <see cref="ChunkRows"/> records, never whole: the UTF-8 bytes are
/// read and split a block at a time (<see cref="CsvByteSplitter"/>) and each field is copied once
/// into the chunk. The records, fields, lines and columns are those <see cref="CsvReader"/> gives
/// (RFC 4180 quoting, blank lines skipped, fields trimmed as the options say).
/// </summary>
/// <remarks>
/// The file offset and line of each chunk's first record are noted as the file is read, so a
/// chunk already passed can be read again by seeking to it: after one pass in file order (or a
/// <see cref="ChunkCount"/>), chunks can be read in any order. A gzip file cannot be sought in,
/// so it is refused (decompress it first).
/// </remarks>
public sealed class CsvChunkSource : IRowChunkSource
{
    /// <summary>The default number of records a chunk holds.</summary>
    public const int DefaultChunkRows = 65_536;

    private readonly CsvReader _reader;   // reads the header; its splitter reads the chunks
    private readonly CsvByteSplitter _splitter;
    private readonly List<(long Offset, long Line)> _chunkStarts = [];
    private int _chunks = -1;     // known once a read has found the end of the file
    private int _nextChunk = -1;  // the chunk that starts at the reading position, or -1 after a seek elsewhere
    private RowChunk? _scratch;

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header (or takes <paramref name="columnNames"/>
    /// when the options say there is none).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CsvFormatException">The file is empty, its header is one column holding another common delimiter, it is not UTF-8, or it is gzip-compressed.</exception>
    /// <exception cref="ArgumentException">Neither a header nor column names, <paramref name="chunkRows"/> is not positive, or the delimiter is not an ASCII character.</exception>
    public CsvChunkSource(string path, CsvOptions options, int chunkRows = DefaultChunkRows, IReadOnlyList<string>? columnNames = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new CsvFormatException(path, 0, 0, "a gzip file cannot be read in chunks (they are read in a shuffled order, which needs seeking); decompress it first");
        Name = path;
        ChunkRows = chunkRows;
        _reader = new CsvReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan), path, options);
        _splitter = _reader.Splitter;
        try
        {
            ColumnNames = CsvHeader.Read(_reader, options, columnNames);
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
        _chunkStarts.Add((_splitter.Offset, _splitter.Line));
        _nextChunk = 0;
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
        if (_nextChunk != index) _splitter.Seek(_chunkStarts[index].Offset, _chunkStarts[index].Line);
        var sink = new ChunkSink(destination);
        while (destination.RowCount < ChunkRows)
        {
            if (!_splitter.Next(ref sink, out long line)) break;
            destination.EndRow(line);
        }
        if (destination.RowCount == ChunkRows)
        {
            if (index + 1 == _chunkStarts.Count) _chunkStarts.Add((_splitter.Offset, _splitter.Line));
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
    public void Dispose() => _reader.Dispose();

    private readonly struct ChunkSink(RowChunk chunk) : CsvByteSplitter.IFieldSink
    {
        public void Add(ReadOnlySpan<char> text, int column) => chunk.AddField(text, column);

        public void Discard() => chunk.DiscardPartialRow();
    }
}

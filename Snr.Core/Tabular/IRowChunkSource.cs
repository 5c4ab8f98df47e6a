namespace Snr.Core.Tabular;

/// <summary>
/// A data file read a chunk of rows at a time (a CSV file in blocks of rows, a Parquet file a
/// row group at a time), so that data larger than memory can be scanned and trained on. Chunks
/// are numbered from 0 in file order and can be read in any order, any number of times; a chunk
/// always holds the same rows.
/// </summary>
/// <remarks>
/// A source is used by one thread at a time. Each chunk is read into a caller-owned
/// <see cref="RowChunk"/> that is cleared and refilled, so reading a file allocates a chunk's
/// buffers once, not once per value. Values are the texts a CSV file would hold (numbers in
/// invariant culture; a missing value as <c>?</c> or empty), and every row keeps its position in
/// the file (a line, or a row number for files without lines) for error messages.
/// </remarks>
public interface IRowChunkSource : IDisposable
{
    /// <summary>The file, as named in error messages.</summary>
    string Name { get; }

    /// <summary>The column names, in file order.</summary>
    IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The kinds that the file's own column types imply (a Parquet file's numbers and strings); empty for a text file.</summary>
    IReadOnlyDictionary<string, ColumnKind> ImpliedKinds { get; }

    /// <summary>
    /// The number of chunks. A source that cannot know it without reading (a CSV file) finds the
    /// remaining chunk boundaries on first use, reading the rest of the file once; after
    /// <see cref="TryReadChunk"/> has returned false it is known without reading.
    /// </summary>
    /// <exception cref="CsvFormatException">The file is malformed where it had to be read (file, line and column named).</exception>
    int ChunkCount { get; }

    /// <summary>
    /// Clears <paramref name="destination"/> and fills it with the rows of chunk
    /// <paramref name="index"/>; returns false, leaving it empty, when the file has no such chunk.
    /// </summary>
    /// <exception cref="CsvFormatException">A row of the chunk is malformed (file, line and column named).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has another number of columns.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    bool TryReadChunk(int index, RowChunk destination);
}

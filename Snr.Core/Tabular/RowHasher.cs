namespace Snr.Core.Tabular;

/// <summary>
/// The content hashes of the rows of a <see cref="RowChunk"/>, equal to those
/// <see cref="TrainingDataIdentity"/> gives the same rows of a <see cref="RawTable"/>: over the
/// schema's columns that are not ignored (labels included), in the schema's order, each field by
/// its text. A row of a typed file hashes as the same row read from CSV does.
/// </summary>
/// <remarks>
/// A column held as distinct texts (<see cref="RowChunk.SetTexts"/>) is hashed once per distinct
/// text, not once per row.
/// </remarks>
internal sealed class RowHasher
{
    private readonly int[] _columns;
    private readonly ulong[] _fields;
    private readonly ulong[]?[] _distinctHashes;

    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    public RowHasher(TabularSchema schema, string source, IReadOnlyList<string> columnNames)
        : this([.. TrainingDataIdentity.HashedColumns(schema).Select(name => RawTable.ColumnIndex(source, columnNames, name))])
    {
    }

    /// <summary>Hashes the given columns (file indices), in that order.</summary>
    public RowHasher(int[] columns)
    {
        _columns = columns;
        _fields = new ulong[columns.Length];
        _distinctHashes = new ulong[]?[columns.Length];
    }

    /// <summary>The hash of row <paramref name="row"/> of <paramref name="chunk"/> alone (<see cref="HashRows"/> hashes a chunk faster).</summary>
    public ulong Hash(RowChunk chunk, int row)
    {
        for (int i = 0; i < _columns.Length; i++) _fields[i] = TrainingDataIdentity.FieldHash(chunk.Field(row, _columns[i]));
        return TrainingDataIdentity.RowHash(_fields);
    }

    /// <summary>Writes the hash of each row of <paramref name="chunk"/> to <paramref name="hashes"/> (one per row).</summary>
    /// <exception cref="ArgumentException"><paramref name="hashes"/> is shorter than the chunk.</exception>
    public void HashRows(RowChunk chunk, Span<ulong> hashes)
    {
        if (hashes.Length < chunk.RowCount) throw new ArgumentException($"Room for {hashes.Length} hashes, but the chunk has {chunk.RowCount} rows.", nameof(hashes));
        var rowValues = new int[]?[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            if (!chunk.TryGetDistinctTexts(_columns[i], out var texts, out var values)) continue;
            rowValues[i] = values;
            var table = _distinctHashes[i] is { } kept && kept.Length >= texts.Length ? kept : _distinctHashes[i] = new ulong[Math.Max(texts.Length, 16)];
            for (int d = 0; d < texts.Length; d++) table[d] = TrainingDataIdentity.FieldHash(texts[d].Span);
        }
        for (int row = 0; row < chunk.RowCount; row++)
        {
            for (int i = 0; i < _columns.Length; i++)
                _fields[i] = rowValues[i] is { } values ? _distinctHashes[i]![values[row]] : TrainingDataIdentity.FieldHash(chunk.Field(row, _columns[i]));
            hashes[row] = TrainingDataIdentity.RowHash(_fields);
        }
    }
}

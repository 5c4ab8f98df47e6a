namespace Snr.Core.Tabular;

/// <summary>
/// The content hashes of the rows of a <see cref="RowChunk"/>, equal to those
/// <see cref="TrainingDataIdentity"/> gives the same rows of a <see cref="RawTable"/>: over the
/// schema's columns that are not ignored (labels included), in the schema's order, each field by
/// its text. A row of a typed file hashes as the same row read from CSV does.
/// </summary>
/// <remarks>
/// A column held as distinct texts (<see cref="RowChunk.SetTexts"/>) is hashed once per distinct
/// text, not once per row. A column of typed numbers is hashed from each number's text, which is
/// formatted only when the number is not among the 4,096 the hasher remembers for the column (by
/// bits), so a column of repeated values (labels, counts, rounded prices) is formatted rarely.
/// </remarks>
internal sealed class RowHasher
{
    private readonly int[] _columns;
    private readonly ulong[] _fields;
    private readonly ulong[]?[] _distinctHashes;
    private readonly NumberHashes?[] _numberHashes;
    private static readonly ulong MissingHash = TrainingDataIdentity.FieldHash("");

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
        _numberHashes = new NumberHashes?[columns.Length];
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
        var numbers = new ChunkColumn?[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            if ((numbers[i] = chunk.TypedNumbers(_columns[i])) is not null)
            {
                _numberHashes[i] ??= new NumberHashes();
                continue;
            }
            if (!chunk.TryGetDistinctTexts(_columns[i], out var texts, out var values)) continue;
            rowValues[i] = values;
            var table = _distinctHashes[i] is { } kept && kept.Length >= texts.Length ? kept : _distinctHashes[i] = new ulong[Math.Max(texts.Length, 16)];
            for (int d = 0; d < texts.Length; d++) table[d] = TrainingDataIdentity.FieldHash(texts[d].Span);
        }
        for (int row = 0; row < chunk.RowCount; row++)
        {
            for (int i = 0; i < _columns.Length; i++)
                _fields[i] = rowValues[i] is { } values ? _distinctHashes[i]![values[row]]
                    : numbers[i] is { } typed ? _numberHashes[i]!.Of(typed, row)
                    : TrainingDataIdentity.FieldHash(chunk.Field(row, _columns[i]));
            hashes[row] = TrainingDataIdentity.RowHash(_fields);
        }
    }

    // The field hashes of the numbers last met in a column, direct-mapped by their bits (4,096 slots).
    private sealed class NumberHashes
    {
        private const int SlotBits = 12;
        private readonly ulong[] _keys = new ulong[1 << SlotBits];
        private readonly ulong[] _hashes = new ulong[1 << SlotBits];
        private readonly bool[] _filled = new bool[1 << SlotBits];
        private Type? _type;

        public ulong Of(ChunkColumn column, int row)
        {
            if (column.StateOf(row) == ChunkColumn.NumberState.Missing) return MissingHash;
            if (!column.TryGetNumberKey(row, out ulong bits, out var type)) return Format(column, row);
            if (type != _type)
            {
                Array.Clear(_filled);
                _type = type;
            }
            int slot = (int)((bits * 0x9E3779B97F4A7C15UL) >> (64 - SlotBits));
            if (_filled[slot] && _keys[slot] == bits) return _hashes[slot];
            ulong hash = Format(column, row);
            (_keys[slot], _hashes[slot], _filled[slot]) = (bits, hash, true);
            return hash;
        }

        private static ulong Format(ChunkColumn column, int row)
        {
            Span<char> text = stackalloc char[64];
            if (!column.TryFormatNumber(row, text, out int written)) return TrainingDataIdentity.FieldHash(column.Field(row));
            return TrainingDataIdentity.FieldHash(text[..written]);
        }
    }
}

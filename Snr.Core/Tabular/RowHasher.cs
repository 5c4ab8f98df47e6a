namespace Snr.Core.Tabular;

/// <summary>
/// The content hash of a row of a <see cref="RowChunk"/>, equal to the one
/// <see cref="TrainingDataIdentity"/> gives the same row of a <see cref="RawTable"/>: over the
/// schema's columns that are not ignored (labels included), in the schema's order.
/// </summary>
internal sealed class RowHasher
{
    private readonly int[] _columns;
    private readonly ulong[] _fields;

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
    }

    /// <summary>The hash of row <paramref name="row"/> of <paramref name="chunk"/>.</summary>
    public ulong Hash(RowChunk chunk, int row)
    {
        for (int i = 0; i < _columns.Length; i++) _fields[i] = TrainingDataIdentity.FieldHash(chunk.Field(row, _columns[i]));
        return TrainingDataIdentity.RowHash(_fields);
    }
}

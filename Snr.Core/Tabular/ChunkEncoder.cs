using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// Encodes the rows of <see cref="RowChunk"/>s with a fitted <see cref="TabularEncoder"/>, parsing
/// each field from its span (no string per value), and sends each row to the block of its
/// <see cref="RowRole"/>. The values are those <see cref="TabularEncoder.Encode"/> gives for the same texts.
/// </summary>
/// <remarks>
/// Under a split, the roles of a chunk's rows are hashed once, the first time the chunk is
/// encoded, and kept (2 bits a row, 2.5 MB per 10 million rows), so later epochs do not hash
/// every row again to skip the held-out ones. A chunk that comes back with another row count
/// (the file changed) is hashed again.
/// </remarks>
internal sealed class ChunkEncoder
{
    private readonly TabularEncoder _encoder;
    private readonly RowHasher _hasher;
    private readonly HashSplit? _split;
    private readonly int[] _numericColumns, _categoricalColumns, _labelColumns;
    private readonly TaskSpec[] _tasks;
    private readonly int _weightColumn;
    private readonly List<(int Rows, byte[] Roles)?> _rolesByChunk = [];

    /// <summary>Prepares to encode chunks with <paramref name="columnNames"/>; without a <paramref name="split"/> every row trains.</summary>
    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    public ChunkEncoder(TabularEncoder encoder, string source, IReadOnlyList<string> columnNames, HashSplit? split)
    {
        _encoder = encoder;
        _split = split;
        var preprocessing = encoder.Preprocessing;
        var schema = preprocessing.Schema;
        _numericColumns = [.. preprocessing.Numeric.Select(n => RawTable.ColumnIndex(source, columnNames, n.Name))];
        _categoricalColumns = [.. preprocessing.Categorical.Select(v => RawTable.ColumnIndex(source, columnNames, v.Name))];
        _tasks = [.. schema.Tasks];
        _labelColumns = [.. _tasks.Select(t => RawTable.ColumnIndex(source, columnNames, t.Column))];
        TaskNames = [.. _tasks.Select(t => t.Name)];
        _weightColumn = schema.WeightColumn is { } weight ? RawTable.ColumnIndex(source, columnNames, weight) : -1;
        _hasher = new RowHasher(schema, source, columnNames);
    }

    /// <summary>Task names, in label order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>A block for this encoder's rows.</summary>
    public EncodedRows NewBlock() => new(_numericColumns.Length, _categoricalColumns.Length, _tasks.Length);

    /// <summary>The role of row <paramref name="row"/> of <paramref name="chunk"/> under the split (training without one).</summary>
    public RowRole RoleOf(RowChunk chunk, int row) => _split is null ? RowRole.Train : _split.RoleOf(_hasher.Hash(chunk, row));

    /// <summary>
    /// Appends each row of <paramref name="chunk"/> to the block of its role; rows whose block is
    /// null are skipped (and not parsed).
    /// </summary>
    /// <exception cref="CsvFormatException">A value does not fit the schema (file, line and column named).</exception>
    public void Encode(RowChunk chunk, EncodedRows? train, EncodedRows? validation = null, EncodedRows? test = null)
    {
        byte[]? roles = RolesOf(chunk);
        for (int row = 0; row < chunk.RowCount; row++)
        {
            var role = roles is null ? RowRole.Train : (RowRole)((roles[row >> 2] >> ((row & 3) * 2)) & 3);
            var destination = role switch
            {
                RowRole.Train => train,
                RowRole.Validation => validation,
                _ => test,
            };
            if (destination is not null) EncodeRow(chunk, row, destination);
        }
    }

    // The roles of the chunk's rows, 2 bits each (null without a split: every row trains), from the cache when the chunk was seen with as many rows.
    private byte[]? RolesOf(RowChunk chunk)
    {
        if (_split is null) return null;
        while (_rolesByChunk.Count <= chunk.Index) _rolesByChunk.Add(null);
        if (_rolesByChunk[chunk.Index] is { } cached && cached.Rows == chunk.RowCount) return cached.Roles;
        var roles = new byte[(chunk.RowCount + 3) / 4];
        for (int row = 0; row < chunk.RowCount; row++) roles[row >> 2] |= (byte)((int)RoleOf(chunk, row) << ((row & 3) * 2));
        _rolesByChunk[chunk.Index] = (chunk.RowCount, roles);
        return roles;
    }

    private void EncodeRow(RowChunk chunk, int row, EncodedRows destination)
    {
        int r = destination.AddRow();
        var numeric = destination.Numeric(r);
        var stats = _encoder.Preprocessing.Numeric;
        for (int f = 0; f < numeric.Length; f++)
        {
            var text = chunk.Field(row, _numericColumns[f]);
            if (TabularSchema.IsMissing(text)) numeric[f] = 0f;
            else if (FastNumber.TryParse(text, out float v)) numeric[f] = (v - stats[f].Mean) / stats[f].Std;
            else throw chunk.Error(row, _numericColumns[f], TabularSchema.NotANumberReason(text.ToString()));
        }
        var categorical = destination.Categorical(r);
        for (int f = 0; f < categorical.Length; f++) categorical[f] = _encoder.Slot(f, chunk.Field(row, _categoricalColumns[f]));
        var labels = destination.Labels(r);
        for (int t = 0; t < labels.Length; t++)
        {
            labels[t] = TabularEncoder.LabelOf(_tasks[t], chunk.Field(row, _labelColumns[t]), out string? problem);
            if (problem is not null) throw chunk.Error(row, _labelColumns[t], problem);
        }
        if (_weightColumn >= 0)
        {
            float weight = TabularEncoder.WeightOf(chunk.Field(row, _weightColumn), out string? problem);
            if (problem is not null) throw chunk.Error(row, _weightColumn, problem);
            destination.SetWeight(r, weight);
        }
    }
}

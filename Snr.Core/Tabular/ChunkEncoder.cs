using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// Encodes the rows of <see cref="RowChunk"/>s with a fitted <see cref="TabularEncoder"/> and sends
/// each row to the block of its <see cref="RowRole"/>. The values are those
/// <see cref="TabularEncoder.Encode"/> gives for the same texts: numbers are parsed from their
/// spans, or taken as they are from a typed chunk; a column of distinct texts has each distinct
/// text looked up once per chunk.
/// </summary>
/// <remarks>
/// Under a split, the roles of a chunk's rows are taken from the fitting pass
/// (<see cref="StreamingFit"/> records them), or hashed the first time the chunk is encoded, and
/// kept (<see cref="RowRoles"/>), so no epoch hashes every row again to skip the held-out ones.
/// A chunk that comes back with another row count (the file changed) is hashed again.
/// </remarks>
internal sealed class ChunkEncoder
{
    private readonly TabularEncoder _encoder;
    private readonly RowHasher _hasher;
    private readonly HashSplit? _split;
    private readonly int[] _numericColumns, _categoricalColumns, _labelColumns;
    private readonly TaskSpec[] _tasks;
    private readonly int _weightColumn;
    private readonly RowRoles _roles;
    private readonly int[]?[] _distinctSlots, _rowValues;
    private ulong[] _hashes = [];

    /// <summary>
    /// Prepares to encode chunks with <paramref name="columnNames"/>; without a <paramref name="split"/>
    /// every row trains. <paramref name="knownRoles"/>, the roles a fitting pass over the same file
    /// recorded, spares hashing those chunks (a copy is kept).
    /// </summary>
    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    public ChunkEncoder(TabularEncoder encoder, string source, IReadOnlyList<string> columnNames, HashSplit? split, RowRoles? knownRoles = null)
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
        _roles = knownRoles?.Copy() ?? new RowRoles();
        _distinctSlots = new int[]?[_categoricalColumns.Length];
        _rowValues = new int[]?[_categoricalColumns.Length];
    }

    /// <summary>Task names, in label order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>A block for this encoder's rows.</summary>
    public EncodedRows NewBlock() => new(_numericColumns.Length, _categoricalColumns.Length, _tasks.Length);

    /// <summary>The role of row <paramref name="row"/> of <paramref name="chunk"/> under the split (training without one), hashed afresh.</summary>
    public RowRole RoleOf(RowChunk chunk, int row) => _split is null ? RowRole.Train : _split.RoleOf(_hasher.Hash(chunk, row));

    /// <summary>
    /// Appends each row of <paramref name="chunk"/> to the block of its role; rows whose block is
    /// null are skipped (and not parsed).
    /// </summary>
    /// <exception cref="CsvFormatException">A value does not fit the schema (file, line and column named).</exception>
    public void Encode(RowChunk chunk, EncodedRows? train, EncodedRows? validation = null, EncodedRows? test = null)
    {
        byte[]? roles = RolesOf(chunk);
        MapDistinctTexts(chunk);
        for (int row = 0; row < chunk.RowCount; row++)
        {
            var role = roles is null ? RowRole.Train : RowRoles.At(roles, row);
            var destination = role switch
            {
                RowRole.Train => train,
                RowRole.Validation => validation,
                _ => test,
            };
            if (destination is not null) EncodeRow(chunk, row, destination);
        }
    }

    // The roles of the chunk's rows, 2 bits each (null without a split: every row trains), from those kept when the chunk was seen with as many rows.
    private byte[]? RolesOf(RowChunk chunk)
    {
        if (_split is null) return null;
        if (_roles.Of(chunk.Index, chunk.RowCount) is { } kept) return kept;
        if (_hashes.Length < chunk.RowCount) _hashes = new ulong[chunk.RowCount];
        _hasher.HashRows(chunk, _hashes);
        return _roles.Record(chunk.Index, _hashes.AsSpan(0, chunk.RowCount), _split);
    }

    // For each categorical column held as distinct texts, the slot of each distinct text (looked up once for the chunk).
    private void MapDistinctTexts(RowChunk chunk)
    {
        for (int f = 0; f < _categoricalColumns.Length; f++)
        {
            _rowValues[f] = null;
            if (!chunk.TryGetDistinctTexts(_categoricalColumns[f], out var texts, out var rowValues)) continue;
            var slots = _distinctSlots[f] is { } kept && kept.Length >= texts.Length ? kept : _distinctSlots[f] = new int[Math.Max(texts.Length, 16)];
            for (int d = 0; d < texts.Length; d++) slots[d] = _encoder.Slot(f, texts[d].Span);
            _rowValues[f] = rowValues;
        }
    }

    private void EncodeRow(RowChunk chunk, int row, EncodedRows destination)
    {
        int r = destination.AddRow();
        var numeric = destination.Numeric(r);
        var stats = _encoder.Preprocessing.Numeric;
        for (int f = 0; f < numeric.Length; f++)
        {
            numeric[f] = chunk.ReadNumber(row, _numericColumns[f], out float v) switch
            {
                NumberRead.Number => (v - stats[f].Mean) / stats[f].Std,
                NumberRead.Missing => 0f,
                _ => throw chunk.Error(row, _numericColumns[f], TabularSchema.NotANumberReason(chunk.Field(row, _numericColumns[f]).ToString())),
            };
        }
        var categorical = destination.Categorical(r);
        for (int f = 0; f < categorical.Length; f++)
            categorical[f] = _rowValues[f] is { } rowValues ? _distinctSlots[f]![rowValues[row]] : _encoder.Slot(f, chunk.Field(row, _categoricalColumns[f]));
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

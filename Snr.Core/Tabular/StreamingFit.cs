using Snr.Core.Data;
using Snr.Core.Models;

namespace Snr.Core.Tabular;

/// <summary>
/// The schema and the encoder of a file fitted in one bounded-memory pass over its chunks, for
/// data larger than memory: the column kinds by <see cref="SchemaInference"/>'s rule (unless a
/// schema is given), the mean and variance of each numeric input by Welford's update, and each
/// categorical input's vocabulary under <see cref="VocabularyLimits"/>, over the training rows.
/// </summary>
/// <remarks>
/// <para>
/// The statistics equal those <see cref="TabularEncoder.Fit(RawTable, TabularSchema, ReadOnlySpan{int}, VocabularyLimits)"/>
/// gives on the same training rows in file order: the same values are added in the same order,
/// so means and deviations agree to the bit, and the vocabularies are the same lists as long as a
/// column has at most <see cref="VocabularyLimits.CounterCapacity"/> distinct values (beyond that
/// the counts are approximate; see <see cref="VocabularyCounter"/>).
/// </para>
/// <para>
/// The pass also checks every row against the schema (numbers, labels, weights), so a malformed
/// row is refused with its file, line and column before any training starts, and it records the
/// rows' content (<see cref="TrainingDataIdentity"/>). Each row is hashed once; its role under the
/// split is kept (<see cref="RowRoles"/>) for the passes that follow (training epochs, the held-out
/// rows), which therefore do not hash again. Memory: the chunks being read, the counters, 8 bytes
/// per row for the content hashes (80 MB for 10 million rows) and 2 bits per row for the roles.
/// </para>
/// <para>
/// A column whose kind is inferred is counted as categorical only until it has more distinct
/// values than the rule's threshold, all numbers; should a value that is not a number come later,
/// the column is categorical after all and a second pass counts its vocabulary.
/// </para>
/// </remarks>
/// <param name="Encoder">The fitted encoder (its preprocessing records the schema and the training data's identity).</param>
/// <param name="Notes">Inference notes: mostly-numeric columns read as categorical, with their first offending values.</param>
/// <param name="Split">The split by content hash, or null when every row trains.</param>
/// <param name="TrainRows">Rows that train.</param>
/// <param name="ValidationRows">Rows that validate (by the split).</param>
/// <param name="TestRows">Rows held out for testing (by the split).</param>
/// <param name="Passes">How many passes over the file the fit took (1, or 2 when a column needed its vocabulary counted again).</param>
public sealed record StreamingFit(TabularEncoder Encoder, IReadOnlyList<string> Notes, HashSplit? Split, long TrainRows, long ValidationRows, long TestRows, int Passes)
{
    /// <summary>The fitted schema.</summary>
    public TabularSchema Schema => Encoder.Preprocessing.Schema;

    /// <summary>The role of every row of the file the fit was made on, by chunk (null without a split).</summary>
    internal RowRoles? Roles { get; init; }

    /// <summary>An encoder of the chunks of <paramref name="source"/>, the file this fit was made on, that knows its rows' roles.</summary>
    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    internal ChunkEncoder NewChunkEncoder(IRowChunkSource source) => new(Encoder, source.Name, source.ColumnNames, Split, Roles);

    /// <summary>Fits the encoder of a file whose schema is known.</summary>
    /// <exception cref="CsvFormatException">A row does not fit the schema, or the file has no rows (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The schema is invalid or names a column the file lacks.</exception>
    /// <exception cref="InvalidDataException">No row trains, or a binary task's training labels are all one class.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static StreamingFit Run(IRowChunkSource source, TabularSchema schema, HashSplit? split, VocabularyLimits? limits = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(schema);
        schema.Validate();
        foreach (var column in schema.Columns) RawTable.ColumnIndex(source.Name, source.ColumnNames, column.Name);
        return new Pass(source, schema.Tasks, schema, inference: null, schema.WeightColumn, split, limits).Run(cancellation);
    }

    /// <summary>
    /// Fits the encoder of a file whose column kinds are inferred (<paramref name="inference"/>'s
    /// declarations first, then the file's own types, then the rule), over every row of the file.
    /// </summary>
    /// <exception cref="CsvFormatException">A row does not fit the schema, or the file has no rows (file, line and column named).</exception>
    /// <exception cref="ArgumentException">A declared column, a task's column or the weight column is not in the file; or the inferred schema is invalid.</exception>
    /// <exception cref="InvalidDataException">No row trains, or a binary task's training labels are all one class.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static StreamingFit Run(IRowChunkSource source, IReadOnlyList<TaskSpec> tasks, SchemaInference inference, string? weightColumn, HashSplit? split,
        VocabularyLimits? limits = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(inference);
        if (inference.MaxCategoricalLevels < 0) throw new ArgumentException($"MaxCategoricalLevels must be non-negative, got {inference.MaxCategoricalLevels}.");
        foreach (var name in inference.Declared.Keys.Concat(tasks.Select(t => t.Column)).Concat(weightColumn is null ? [] : [weightColumn]))
            RawTable.ColumnIndex(source.Name, source.ColumnNames, name);
        return new Pass(source, tasks, schema: null, inference, weightColumn, split, limits).Run(cancellation);
    }

    /// <summary>
    /// Reads the validation and test rows of the split (rows by content hash) into memory, encoded:
    /// one more pass over <paramref name="source"/>, the file this fit was made on.
    /// </summary>
    /// <exception cref="CsvFormatException">A row is malformed (file, line and column named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public (MultiTaskDataset Validation, MultiTaskDataset Test) ReadHeldOut(IRowChunkSource source, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var encoder = NewChunkEncoder(source);
        EncodedRows validation = encoder.NewBlock(), test = encoder.NewBlock();
        var chunk = new RowChunk(source.Name, source.ColumnNames);
        for (int i = 0; source.TryReadChunk(i, chunk); i++)
        {
            cancellation.ThrowIfCancellationRequested();
            encoder.Encode(chunk, train: null, validation, test);
        }
        bool weighted = Schema.WeightColumn is not null;
        return (validation.ToDataset(encoder.TaskNames, weighted), test.ToDataset(encoder.TaskNames, weighted));
    }

    // The state of the pass: one plan per column of the file.
    private sealed class Pass
    {
        private readonly IRowChunkSource _source;
        private readonly IReadOnlyList<TaskSpec> _tasks;
        private readonly SchemaInference? _inference;
        private readonly string? _weightColumn;
        private readonly HashSplit? _split;
        private readonly VocabularyLimits _limits;
        private readonly TabularSchema? _schema;
        private readonly ColumnKind?[] _declared;       // null: inferred
        private readonly bool[] _isInput;               // numeric or categorical input (not a label, not ignored)
        private readonly ColumnProfile?[] _profiles;
        private readonly RunningMoments[] _moments;
        private readonly VocabularyCounter?[] _counters;
        private readonly bool[] _countingDropped;
        private readonly int[] _labelColumns;
        private readonly Dictionary<string, long>[] _labelCounts;
        private readonly int _weight;
        private readonly RowHasher _hasher;
        private readonly List<ulong[]> _rowHashes = [];
        private readonly RowRoles? _roles;
        private readonly List<int> _chunkRows = [];
        private ulong[] _chunkHashes = [];
        private long _rows, _train, _validation, _test;

        public Pass(IRowChunkSource source, IReadOnlyList<TaskSpec> tasks, TabularSchema? schema, SchemaInference? inference, string? weightColumn, HashSplit? split, VocabularyLimits? limits)
        {
            _source = source;
            _tasks = tasks;
            _schema = schema;
            _inference = inference;
            _weightColumn = weightColumn;
            _split = split;
            split?.Validate();
            _roles = split is null ? null : new RowRoles();
            _limits = limits ?? VocabularyLimits.Default;
            _limits.Validate();
            var names = source.ColumnNames;
            int columns = names.Count;
            _declared = new ColumnKind?[columns];
            _isInput = new bool[columns];
            _profiles = new ColumnProfile?[columns];
            _moments = new RunningMoments[columns];
            _counters = new VocabularyCounter?[columns];
            _countingDropped = new bool[columns];
            var labelColumns = tasks.Select(t => t.Column).ToHashSet();
            var hashed = new List<int>();
            for (int c = 0; c < columns; c++)
            {
                ColumnKind? kind = schema is not null
                    ? schema.Columns.FirstOrDefault(s => s.Name == names[c])?.Kind ?? ColumnKind.Ignored
                    : inference!.Declared.TryGetValue(names[c], out var declared) ? declared
                    : source.ImpliedKinds.TryGetValue(names[c], out var implied) ? implied : null;
                if (names[c] == weightColumn) kind = ColumnKind.Ignored;
                _declared[c] = kind;
                bool label = labelColumns.Contains(names[c]);
                _isInput[c] = !label && kind != ColumnKind.Ignored;
                if (kind is null) _profiles[c] = new ColumnProfile(inference!);
                if (_isInput[c] && kind != ColumnKind.Numeric) _counters[c] = new VocabularyCounter(_limits.CounterCapacity);
                if (schema is null && (kind != ColumnKind.Ignored || label)) hashed.Add(c);
            }
            _hasher = schema is not null ? new RowHasher(schema, source.Name, names) : new RowHasher([.. hashed]);
            _labelColumns = [.. tasks.Select(t => RawTable.ColumnIndex(source.Name, names, t.Column))];
            _labelCounts = [.. tasks.Select(_ => new Dictionary<string, long>())];
            _weight = weightColumn is null ? -1 : RawTable.ColumnIndex(source.Name, names, weightColumn);
        }

        public StreamingFit Run(CancellationToken cancellation)
        {
            ForEachChunk(Profile, cancellation);
            if (_rows == 0) throw new CsvFormatException(_source.Name, 0, 0, "the file has no data rows");
            if (_train == 0) throw new InvalidDataException($"None of the {_rows:N0} rows of {_source.Name} is a training row; the split's training fraction is {_split?.Train}.");
            var schema = _schema ?? InferredSchema();
            schema.Validate();
            foreach (var task in _tasks.Select((t, i) => (Task: t, Index: i)).Where(t => t.Task.Kind == TaskKind.Binary))
                LabelCheck.RequireBothClasses(_source.Name, task.Task, [.. _labelCounts[task.Index].Keys], [.. _labelCounts[task.Index].Values], "training row");

            // A column counted as numeric-looking that turned categorical: count its vocabulary in a second pass.
            int[] recount = [.. Enumerable.Range(0, _counters.Length).Where(c => _countingDropped[c] && KindOf(c, schema) == ColumnKind.Categorical)];
            if (recount.Length > 0)
            {
                foreach (int c in recount) _counters[c] = new VocabularyCounter(_limits.CounterCapacity);
                long trainRow = 0;
                ForEachChunk(chunk =>
                {
                    var roles = RolesOf(chunk.Index, chunk.RowCount);
                    for (int r = 0; r < chunk.RowCount; r++)
                    {
                        if (roles is not null && RowRoles.At(roles, r) != RowRole.Train) continue;
                        foreach (int c in recount) _counters[c]!.Add(chunk.Field(r, c), trainRow);
                        trainRow++;
                    }
                }, cancellation);
            }

            var names = _source.ColumnNames;
            var numeric = schema.Inputs(ColumnKind.Numeric).Select(s => _moments[RawTable.ColumnIndex(_source.Name, names, s.Name)].ToStats(s.Name)).ToList();
            var categorical = schema.Inputs(ColumnKind.Categorical)
                .Select(s => _counters[RawTable.ColumnIndex(_source.Name, names, s.Name)]!.Choose(s.Name, _limits)).ToList();
            var preprocessing = new TabularPreprocessing(schema, numeric, categorical, Identity()) { VocabularyLimits = _limits };
            return new StreamingFit(new TabularEncoder(preprocessing), _schema is null ? Notes() : [], _split, _train, _validation, _test, recount.Length > 0 ? 2 : 1)
            {
                Roles = _roles,
            };
        }

        private void ForEachChunk(Action<RowChunk> process, CancellationToken cancellation)
        {
            var buffers = Enumerable.Range(0, 2).Select(_ => new RowChunk(_source.Name, _source.ColumnNames)).ToArray();
            using var reader = new ReadAhead<RowChunk>(Enumerable.Range(0, int.MaxValue), buffers, _source.TryReadChunk, cancellation);
            while (reader.TryTake(out var chunk))
            {
                cancellation.ThrowIfCancellationRequested();
                process(chunk);
                reader.Return(chunk);
            }
            cancellation.ThrowIfCancellationRequested();
        }

        // The packed roles of chunk `index` of `rows` rows as the first pass recorded them (null without a split: every row trains).
        private byte[]? RolesOf(int index, int rows)
        {
            if (_roles is null) return null;
            return _roles.Of(index, rows)
                ?? throw new InvalidDataException($"{_source.Name} changed while it was being fitted: its chunk {index + 1} is not as the first pass read it.");
        }

        // One chunk of the first pass: the rows' content and roles, inference, checks, and the training rows' statistics.
        private void Profile(RowChunk chunk)
        {
            int rows = chunk.RowCount;
            if (_chunkHashes.Length < rows) _chunkHashes = new ulong[rows];
            _hasher.HashRows(chunk, _chunkHashes);
            byte[]? roles = _roles?.Record(chunk.Index, _chunkHashes.AsSpan(0, rows), _split!);
            _chunkRows.Add(rows);
            for (int r = 0; r < rows; r++)
            {
                if (_rows % HashBlock == 0) _rowHashes.Add(new ulong[HashBlock]);
                _rowHashes[^1][_rows % HashBlock] = _chunkHashes[r];
                var role = roles is null ? RowRole.Train : RowRoles.At(roles, r);
                long trainRow = _train;
                switch (role)
                {
                    case RowRole.Train: _train++; break;
                    case RowRole.Validation: _validation++; break;
                    default: _test++; break;
                }
                _rows++;
                bool training = role == RowRole.Train;
                for (int c = 0; c < _declared.Length; c++)
                {
                    if (_declared[c] == ColumnKind.Numeric && _isInput[c])
                    {
                        var read = chunk.ReadNumber(r, c, out float declared);
                        if (read == NumberRead.NotANumber) throw chunk.Error(r, c, TabularSchema.NotANumberReason(chunk.Field(r, c).ToString()));
                        if (training && read == NumberRead.Number) _moments[c].Add(declared);
                        continue;
                    }
                    if (_profiles[c] is null && !(training && _counters[c] is not null)) continue;
                    var text = chunk.Field(r, c);
                    if (_profiles[c] is { } profile)
                    {
                        bool isNumber = FastNumber.TryParse(text, out float value);
                        int row = r, column = c;
                        profile.Observe(text, isNumber, () => $"{chunk.Source}:{chunk.Line(row)}:{chunk.Position(row, column)}");
                        if (training && isNumber && profile.AllNumbers) _moments[c].Add(value);
                        if (_counters[c] is not null && profile.LooksNumeric)
                        {
                            _counters[c] = null; // numeric unless a non-number comes later (then a second pass counts it)
                            _countingDropped[c] = true;
                        }
                    }
                    if (training) _counters[c]?.Add(text, trainRow);
                }
                for (int t = 0; t < _tasks.Count; t++)
                {
                    var text = chunk.Field(r, _labelColumns[t]);
                    TabularEncoder.LabelOf(_tasks[t], text, out string? problem);
                    if (problem is not null) throw chunk.Error(r, _labelColumns[t], problem);
                    if (training && _tasks[t].Kind == TaskKind.Binary) CountLabel(_labelCounts[t], text);
                }
                if (_weight >= 0)
                {
                    TabularEncoder.WeightOf(chunk.Field(r, _weight), out string? problem);
                    if (problem is not null) throw chunk.Error(r, _weight, problem);
                }
            }
        }

        private const int HashBlock = 1 << 20;
        private const int LabelValuesCounted = 1000;

        // The count of each label text, for the both-classes check (at most LabelValuesCounted texts; further ones share one entry).
        private static void CountLabel(Dictionary<string, long> counts, ReadOnlySpan<char> text)
        {
            var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.ContainsKey(text) && counts.Count >= LabelValuesCounted) text = "(other values)";
            lookup[text] = lookup.TryGetValue(text, out long count) ? count + 1 : 1;
        }

        private ColumnKind KindOf(int column, TabularSchema schema) =>
            schema.Columns.First(c => c.Name == _source.ColumnNames[column]).Kind;

        private TabularSchema InferredSchema()
        {
            var columns = new List<ColumnSpec>();
            var names = _source.ColumnNames;
            for (int c = 0; c < names.Count; c++) columns.Add(new ColumnSpec(names[c], _declared[c] ?? _profiles[c]!.Kind));
            return new TabularSchema(columns, _tasks) { WeightColumn = _weightColumn };
        }

        private List<string> Notes()
        {
            var names = _source.ColumnNames;
            var labels = _tasks.Select(t => t.Column).ToHashSet();
            return [.. Enumerable.Range(0, names.Count).Where(c => !labels.Contains(names[c])).Select(c => _profiles[c]?.Note(names[c])).OfType<string>()];
        }

        // The rows' content, in order, and the hashes of the rows the model sees (training and validation rows).
        private TrainingDataIdentity Identity()
        {
            var hasher = new TrainingDataIdentity.ContentHasher(_rows);
            for (long i = 0; i < _rows; i++) hasher.Add(_rowHashes[(int)(i / HashBlock)][i % HashBlock]);
            return TrainingDataIdentity.FromRowHashes(hasher.Result, checked((int)_rows), split: null, SeenRows());
        }

        private IEnumerable<ulong> SeenRows()
        {
            long i = 0;
            for (int chunk = 0; chunk < _chunkRows.Count; chunk++)
            {
                var roles = RolesOf(chunk, _chunkRows[chunk]);
                for (int r = 0; r < _chunkRows[chunk]; r++, i++)
                    if (roles is null || RowRoles.At(roles, r) != RowRole.Test) yield return _rowHashes[(int)(i / HashBlock)][i % HashBlock];
            }
        }
    }
}

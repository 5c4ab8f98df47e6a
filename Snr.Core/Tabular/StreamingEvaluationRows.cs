using System.Runtime.InteropServices;
using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// Rows of a file to evaluate a model on, read a chunk at a time and encoded with a fitted
/// encoder, never all in memory: the validation or test rows of a <see cref="HashSplit"/>
/// (<see cref="HeldOut"/>), every row of a validation or test file (<see cref="AllRows"/>), or the
/// rows of any file that a saved model has not seen (<see cref="Unseen"/>).
/// </summary>
/// <remarks>
/// <para>
/// Each reading goes through the file in order, chunk by chunk; a background task reads and
/// encodes the next chunk while the caller scores the current one. The rows come in file order,
/// so evaluating them gives the metrics of the same rows encoded in memory, to the bit (see
/// <see cref="Training.Evaluator.Evaluate(Serving.Predictor, IReadOnlyList{Models.TaskConfig}, IEvaluationRows)"/>).
/// </para>
/// <para>
/// Memory: while the rows are read, two chunks of text and their encoded rows; nothing between
/// readings. Give it a source of its own (the file opened again), not the one training streams
/// from: a source is read by one thread at a time. One reading at a time.
/// </para>
/// <para>
/// Rows that a saved model has not seen come in file order too, whereas in memory the recorded
/// test split of a file comes in the split's shuffled order: there the AUC is the same and the
/// log loss and MSE, summed in another order, agree to about 1e-15 relative.
/// </para>
/// </remarks>
public sealed class StreamingEvaluationRows : IEvaluationRows, IDisposable
{
    private const int ChunksInFlight = 2;

    private readonly IRowChunkSource _source;
    private readonly ChunkEncoder _encoder;
    private readonly RowRole _role;
    private readonly RowFilter? _filter;
    private readonly CancellationToken _cancellation;
    private long _producedRows; // the producer's count of the file's rows read so far in this reading
    private readonly bool _spills;
    private EncodedRowsSpill? _spill;
    private bool _spillFailed;

    private StreamingEvaluationRows(IRowChunkSource source, TabularEncoder encoder, HashSplit? split, RowRole role, RowFilter? filter, long? count, CancellationToken cancellation,
        bool spills = false)
    {
        _spills = spills;
        _source = source;
        _encoder = new ChunkEncoder(encoder, source.Name, source.ColumnNames, split);
        _role = role;
        _filter = filter;
        _cancellation = cancellation;
        Count = count;
        var layout = _encoder.NewBlock();
        NumericCount = layout.NumericCount;
        CategoricalCount = layout.CategoricalCount;
        TaskNames = _encoder.TaskNames;
        HasRowWeights = encoder.Preprocessing.Schema.WeightColumn is not null;
    }

    /// <summary>
    /// The validation or test rows (<paramref name="role"/>) of the file <paramref name="fit"/> was
    /// made on, chosen by its split, as <see cref="StreamingFit.ReadHeldOut"/> chooses them. The first
    /// complete reading also writes the encoded rows to a temporary file (<see cref="EncodedRowsSpill"/>,
    /// 4·(inputs + tasks + 1) bytes a row), which later readings read instead of the data file; should
    /// the file fail to be written (a full disk), every reading reads the data file.
    /// </summary>
    /// <exception cref="ArgumentException">The fit has no split, <paramref name="role"/> is <see cref="RowRole.Train"/>, or the file lacks a column of the schema.</exception>
    public static StreamingEvaluationRows HeldOut(IRowChunkSource source, StreamingFit fit, RowRole role, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.Split is null) throw new ArgumentException("The fit has no split: every row of its file trains, none is held out.", nameof(fit));
        if (role == RowRole.Train) throw new ArgumentException("Held-out rows are validation or test rows.", nameof(role));
        return new StreamingEvaluationRows(source, fit.Encoder, fit.Split, role, filter: null, role == RowRole.Validation ? fit.ValidationRows : fit.TestRows, cancellation, spills: true);
    }

    /// <summary>Every row of <paramref name="source"/> (a separate validation or test file), encoded with <paramref name="encoder"/>; spilled as <see cref="HeldOut"/> is.</summary>
    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    public static StreamingEvaluationRows AllRows(IRowChunkSource source, TabularEncoder encoder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(encoder);
        return new StreamingEvaluationRows(source, encoder, split: null, RowRole.Train, filter: null, count: null, cancellation, spills: true);
    }

    /// <summary>
    /// The rows of <paramref name="source"/> that the model whose preprocessing <paramref name="encoder"/>
    /// holds has not seen, as <see cref="TrainingDataIdentity.Unseen"/> finds them in memory: the
    /// recorded test split when the file has the training file's content and the model recorded a
    /// split (found by one pass that hashes every row), otherwise every row whose content is not
    /// that of a training or validation row.
    /// </summary>
    /// <exception cref="ArgumentException">The preprocessing records no training data, or the file lacks a column of the schema.</exception>
    /// <exception cref="CsvFormatException">The file is malformed (file, line and column named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled during the pass that hashes the rows.</exception>
    public static StreamingEvaluationRows Unseen(IRowChunkSource source, TabularEncoder encoder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(encoder);
        var preprocessing = encoder.Preprocessing;
        var identity = preprocessing.TrainingData
            ?? throw new ArgumentException("The model does not record which rows it was trained on, so its unseen rows cannot be found.", nameof(encoder));
        var hasher = new RowHasher(preprocessing.Schema, source.Name, source.ColumnNames);
        if (identity.Split is not null && TestSplitOf(source, hasher, identity, cancellation) is { } test)
        {
            var isTest = new bool[identity.Rows];
            foreach (int row in test) isTest[row] = true;
            return new StreamingEvaluationRows(source, encoder, split: null, RowRole.Train, (_, _, fileRow) => fileRow < isTest.Length && isTest[fileRow], test.Length, cancellation)
            {
                IsTestSplit = true,
                Excluded = identity.Rows - test.Length,
            };
        }
        return new StreamingEvaluationRows(source, encoder, split: null, RowRole.Train, (chunk, row, _) => !identity.IsSeen(hasher.Hash(chunk, row)), count: null, cancellation)
        {
            Excluded = null,
        };
    }

    /// <inheritdoc />
    public int NumericCount { get; }

    /// <inheritdoc />
    public int CategoricalCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames { get; }

    /// <inheritdoc />
    public bool HasRowWeights { get; }

    /// <summary>The number of rows: known from the start for held-out rows and a recorded test split, otherwise once a reading has gone through the whole file.</summary>
    public long? Count { get; private set; }

    /// <summary>For <see cref="Unseen"/>: true when the file is the training file and the rows are its recorded test split.</summary>
    public bool IsTestSplit { get; private init; }

    /// <summary>For <see cref="Unseen"/>: the rows left out as seen, once known (as <see cref="Count"/>); 0 for the other kinds.</summary>
    public long? Excluded { get; private set; } = 0;

    /// <summary>
    /// Reads and encodes every row once without scoring it, so that a malformed row is refused now
    /// (before training, say) rather than at the first evaluation, and the rows are counted.
    /// </summary>
    /// <returns>The number of rows (<see cref="Count"/>).</returns>
    /// <exception cref="CsvFormatException">A row is malformed (file, line and column named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public long Scan()
    {
        const int rows = 1024;
        var numeric = new float[rows * NumericCount];
        var categorical = new int[rows * CategoricalCount];
        var labels = new float[rows * TaskNames.Count];
        var weights = new float[rows];
        using (var reader = Open())
            while (reader.Read(numeric, categorical, labels, weights) > 0)
            {
            }
        return Count!.Value;
    }

    /// <inheritdoc />
    /// <remarks>The chunk buffers are allocated for the reading and dropped with it, so that a validation set and a test set do not hold buffers between evaluations.</remarks>
    public IEvaluationReader Open()
    {
        Block[] blocks = [.. Enumerable.Range(0, ChunksInFlight).Select(_ => new Block(_source, _encoder, _filter is not null))];
        return new Reader(this, new ReadAhead<Block>(Enumerable.Range(0, int.MaxValue), blocks, Produce, _cancellation));
    }

    // The test rows of the recorded split when the file has the training file's content (its row hashes in order), else null.
    private static int[]? TestSplitOf(IRowChunkSource source, RowHasher hasher, TrainingDataIdentity identity, CancellationToken cancellation)
    {
        var hashes = new List<ulong>();
        var chunk = new RowChunk(source.Name, source.ColumnNames);
        for (int i = 0; source.TryReadChunk(i, chunk); i++)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int r = 0; r < chunk.RowCount; r++) hashes.Add(hasher.Hash(chunk, r));
            if (hashes.Count > identity.Rows) return null;
        }
        return identity.TestSplitOf(CollectionsMarshal.AsSpan(hashes));
    }

    // On the producer task: read chunk `index` and encode its rows of the role (or those the filter keeps);
    // or, once the rows are spilled, the next block of the spill.
    private bool Produce(int index, Block block)
    {
        block.Excluded = 0;
        if (index == 0) StartReading();
        if (_spill is { IsComplete: true } spill) return spill.TryRead(block.Rows);
        if (!_source.TryReadChunk(index, block.Chunk))
        {
            Spill(file => file.Complete());
            return false;
        }
        block.FirstRow = _producedRows;
        _producedRows += block.Chunk.RowCount;
        block.Rows.Clear();
        if (_filter is null)
        {
            _encoder.Encode(block.Chunk, _role == RowRole.Train ? block.Rows : null, _role == RowRole.Validation ? block.Rows : null, _role == RowRole.Test ? block.Rows : null);
            Spill(file => file.Append(block.Rows));
            return true;
        }
        var all = block.Scratch!;
        all.Clear();
        _encoder.Encode(block.Chunk, all);
        for (int r = 0; r < all.Count; r++)
            if (_filter(block.Chunk, r, block.FirstRow + r)) block.Rows.CopyRow(all, r, block.Rows.AddRow());
            else block.Excluded++;
        return true;
    }

    // A reading starts: from the spill when it is complete, else from the data file (and a spill that an abandoned reading left half-written starts again).
    private void StartReading()
    {
        _producedRows = 0;
        if (_spill is { IsComplete: true } spill)
        {
            spill.Rewind();
            return;
        }
        _spill?.Dispose();
        _spill = null;
        if (_spills && !_spillFailed) Spill(_ => { });
    }

    // Does `write` to the spill (created if need be); a spill that cannot be written is dropped for good, and the data file is read instead.
    private void Spill(Action<EncodedRowsSpill> write)
    {
        if (!_spills || _spillFailed || _spill is { IsComplete: true }) return;
        try
        {
            _spill ??= new EncodedRowsSpill();
            write(_spill);
        }
        catch (IOException)
        {
            _spill?.Dispose();
            _spill = null;
            _spillFailed = true;
        }
    }

    /// <summary>Deletes the temporary file of the spilled rows, if any (a later reading reads the data file again). Not while a reading is open.</summary>
    public void Dispose()
    {
        _spill?.Dispose();
        _spill = null;
    }

    // Keeps row `row` of a chunk, the file's row `fileRow` (from 0).
    private delegate bool RowFilter(RowChunk chunk, int row, long fileRow);

    // A chunk in flight: its text, its encoded rows, and (with a filter) every row encoded before filtering.
    private sealed class Block(IRowChunkSource source, ChunkEncoder encoder, bool filtered)
    {
        public RowChunk Chunk { get; } = new(source.Name, source.ColumnNames);

        public EncodedRows Rows { get; } = encoder.NewBlock();

        public EncodedRows? Scratch { get; } = filtered ? encoder.NewBlock() : null;

        public long FirstRow { get; set; }

        public long Excluded { get; set; }
    }

    private sealed class Reader(StreamingEvaluationRows rows, ReadAhead<Block> reader) : IEvaluationReader
    {
        private Block? _current;
        private int _next;
        private long _read, _excluded;
        private bool _done;

        public int Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights)
        {
            int n = rows.NumericCount, c = rows.CategoricalCount, t = rows.TaskNames.Count, copied = 0;
            while (copied < weights.Length && !_done)
            {
                if (_current is null || _next == _current.Rows.Count)
                {
                    if (_current is not null) reader.Return(_current);
                    _current = null;
                    if (!reader.TryTake(out var block))
                    {
                        // A cancelled producer ends the stream early: that must not pass for the end of the file.
                        rows._cancellation.ThrowIfCancellationRequested();
                        Finish();
                        break;
                    }
                    _current = block;
                    _next = 0;
                    _excluded += block.Excluded;
                    continue;
                }
                var source = _current.Rows;
                for (; _next < source.Count && copied < weights.Length; _next++, copied++, _read++)
                    weights[copied] = source.CopyRow(_next, numeric.Slice(copied * n, n), categorical.Slice(copied * c, c), labels.Slice(copied * t, t));
            }
            return copied;
        }

        private void Finish()
        {
            _done = true;
            rows.Count = _read;
            rows.Excluded = _excluded;
        }

        public void Dispose()
        {
            reader.Dispose();
            _current = null;
        }
    }
}

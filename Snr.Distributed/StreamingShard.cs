using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Tabular;

namespace Snr.Distributed;

/// <summary>
/// Shard <c>rank</c> of <c>workers</c> of a training file read from disk: the training rows of the file's chunks
/// c ≡ rank (mod workers), so a worker reads only its own part of the file and never holds the file in memory.
/// Every pass over the shard visits its chunks in a seeded order, in windows of a few chunks whose training rows are
/// shuffled together; global step k takes the shard's next <see cref="RowsPerStep"/> rows, as <see cref="DatasetShard"/> does.
/// </summary>
/// <remarks>
/// <para>
/// The rows of step k are a function of (seed, rank, k) alone: pass p = k / <see cref="StepsPerPass"/> orders the
/// shard's chunks by a permutation of (seed, rank, p), and window w (the chunks w·W … w·W + W − 1 of that order) orders
/// its rows by a permutation of (seed, rank, p, w). So a rank opened again on another silo, or a resumed run, reads the
/// rows of step k by opening the one or two windows that hold them (W chunk reads), without replaying the pass.
/// </para>
/// <para>
/// Shuffle quality: rows mix within a window of W chunks (about <c>W × chunk rows</c> rows), and windows come in a seeded
/// order of chunks; this is the mixing of single-process streaming with a shuffle buffer of that many rows.
/// Passes hold whole steps: the fewer than <see cref="RowsPerStep"/> rows left at the end of a pass are skipped, as a
/// drop-last loader does. Shards of a file have about the same number of rows (chunks of equal length, one chunk more or
/// fewer), but each shard passes over its rows at its own pace: a longer shard's pass ends a few steps later.
/// </para>
/// <para>
/// Cost: opening the shard reads its chunks once to count their training rows (each worker reads 1/N of the file);
/// a CSV source also finds the chunk boundaries of the whole file once. Memory: one window of encoded rows and one chunk.
/// </para>
/// </remarks>
public sealed class StreamingShard : ITrainingShard, IDisposable
{
    private const ulong ChunkOrderStream = 0x5D1A_0000_0000_0000UL;
    private const ulong WindowStream = 0x5D1B_0000_0000_0000UL;

    private readonly IRowChunkSource _source;
    private readonly ChunkEncoder _encoder;
    private readonly RowChunk _chunk;
    private readonly int[] _chunks;          // the file's chunks in this shard
    private readonly int[] _chunkRows;       // training rows of each
    private readonly int[] _taskColumns;     // per model task, its label column in the encoded rows
    private readonly int _windowChunks;
    private readonly ulong _seed;
    private readonly int _rank;
    private readonly EncodedRows _window;
    private int[] _windowOrder = [];
    private readonly int[] _passOrder;       // this pass's order over _chunks
    private readonly long[] _windowStarts;   // the pass position of each window's first row, and the pass's rows at the end
    private long _pass = -1;
    private int _windowIndex = -1;

    /// <summary>Opens the shard and counts its training rows (reading its chunks once).</summary>
    /// <param name="source">The training file, read a chunk at a time; the shard owns it from now on (<see cref="Dispose"/>).</param>
    /// <param name="fit">The encoder and split of the file, from one <see cref="StreamingFit"/> pass (every worker's the same).</param>
    /// <param name="model">The model trained on it (its tasks name the label columns).</param>
    /// <param name="rank">This shard, 0 ≤ rank &lt; workers.</param>
    /// <param name="workers">Shards in all.</param>
    /// <param name="globalBatch">Rows per global step; shard r takes ⌊B/N⌋ rows, plus one when r &lt; B mod N.</param>
    /// <param name="seed">Seed of the chunk and row orders.</param>
    /// <param name="windowChunks">W, the chunks whose rows are shuffled together.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rank is outside [0, workers), the global batch is smaller than the workers, or W is not positive.</exception>
    /// <exception cref="ArgumentException">The shard holds fewer training rows than it must give every step (too few chunks for the workers), or the file lacks a task's labels or a column.</exception>
    /// <exception cref="CsvFormatException">A row of the shard is malformed (file, line and column named).</exception>
    public StreamingShard(IRowChunkSource source, StreamingFit fit, ModelConfig model, int rank, int workers, int globalBatch, ulong seed, int windowChunks)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowChunks);
        if (rank < 0 || rank >= workers) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"must be in [0, {workers})");
        if (globalBatch < workers) throw new ArgumentOutOfRangeException(nameof(globalBatch), globalBatch, $"must be at least the {workers} workers");
        _source = source;
        // Roles are hashed afresh: the fit's remembered roles belong to its own chunking of the file.
        _encoder = new ChunkEncoder(fit.Encoder, source.Name, source.ColumnNames, fit.Split);
        _chunk = new RowChunk(source.Name, source.ColumnNames);
        _window = _encoder.NewBlock();
        _taskColumns = new int[model.Tasks.Length];
        for (int t = 0; t < _taskColumns.Length; t++)
        {
            _taskColumns[t] = IndexOf(_encoder.TaskNames, model.Tasks[t].Name);
            if (_taskColumns[t] < 0) throw new ArgumentException($"{source.Name} has no labels of task '{model.Tasks[t].Name}'.", nameof(model));
        }
        RowsPerStep = DatasetShard.PartRows(globalBatch, workers, rank);
        int chunkCount = source.ChunkCount;
        _chunks = new int[Math.Max(0, (chunkCount - rank + workers - 1) / workers)];
        for (int i = 0; i < _chunks.Length; i++) _chunks[i] = rank + i * workers;
        _chunkRows = new int[_chunks.Length];
        for (int i = 0; i < _chunks.Length; i++)
        {
            _window.Clear();
            ReadChunkInto(_chunks[i]);
            _chunkRows[i] = _window.Count;
            TrainRows += _window.Count;
        }
        if (TrainRows < RowsPerStep)
            throw new ArgumentException($"Shard {rank} of {workers} of {source.Name} holds {TrainRows} training rows ({_chunks.Length} of the file's {chunkCount} chunks), " +
                $"fewer than the {RowsPerStep} it must give every step: use fewer workers, a smaller global batch or smaller chunks.", nameof(source));
        StepsPerPass = TrainRows / RowsPerStep;
        _windowChunks = windowChunks;
        _seed = seed;
        _rank = rank;
        _passOrder = new int[_chunks.Length];
        _windowStarts = new long[(_chunks.Length + windowChunks - 1) / windowChunks + 1];
        _window.Clear();
    }

    /// <inheritdoc/>
    public int RowsPerStep { get; }

    /// <summary>The training rows of this shard.</summary>
    public long TrainRows { get; }

    /// <summary>The steps of one pass over the shard: ⌊<see cref="TrainRows"/> / <see cref="RowsPerStep"/>⌋.</summary>
    public long StepsPerPass { get; }

    /// <summary>The file's chunks this shard reads (c ≡ rank mod workers), in file order.</summary>
    public IReadOnlyList<int> Chunks => _chunks;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A chunk is gone or holds other rows than when the shard was opened (the file changed).</exception>
    /// <exception cref="CsvFormatException">A row is malformed (file, line and column named).</exception>
    public void Read(long step, ShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (batch.Rows != RowsPerStep) throw new ArgumentException($"The batch has {batch.Rows} rows, the shard gives {RowsPerStep}.", nameof(batch));
        StartPass(step / StepsPerPass);
        long position = step % StepsPerPass * RowsPerStep;
        for (int i = 0; i < RowsPerStep; i++, position++)
        {
            int w = Math.Max(_windowIndex, 0);
            while (position >= _windowStarts[w + 1]) w++;
            while (position < _windowStarts[w]) w--;
            OpenWindow(w);
            CopyRow(_windowOrder[(int)(position - _windowStarts[w])], i, batch);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _source.Dispose();

    // Orders the shard's chunks for pass `pass` and notes where each window's rows start in the pass.
    private void StartPass(long pass)
    {
        if (pass == _pass) return;
        Shuffle.Permutation(_passOrder, _seed, Mix(ChunkOrderStream ^ (ulong)_rank, (ulong)pass));
        for (int w = 0, c = 0; w + 1 < _windowStarts.Length; w++)
        {
            long rows = 0;
            for (int end = Math.Min(c + _windowChunks, _passOrder.Length); c < end; c++) rows += _chunkRows[_passOrder[c]];
            _windowStarts[w + 1] = _windowStarts[w] + rows;
        }
        _pass = pass;
        _windowIndex = -1;
    }

    // Reads window w's chunks of this pass and shuffles their training rows together.
    private void OpenWindow(int w)
    {
        if (w == _windowIndex) return;
        _window.Clear();
        for (int c = w * _windowChunks, end = Math.Min(c + _windowChunks, _passOrder.Length); c < end; c++)
        {
            int before = _window.Count;
            ReadChunkInto(_chunks[_passOrder[c]]);
            if (_window.Count - before != _chunkRows[_passOrder[c]])
                throw new InvalidDataException($"{_source.Name}: chunk {_chunks[_passOrder[c]] + 1} holds {_window.Count - before} training rows, " +
                    $"but {_chunkRows[_passOrder[c]]} when the shard was opened: the file changed during training.");
        }
        if (_windowOrder.Length < _window.Count) _windowOrder = new int[_window.Count];
        Shuffle.Permutation(_windowOrder.AsSpan(0, _window.Count), _seed, Mix(Mix(WindowStream ^ (ulong)_rank, (ulong)_pass), (ulong)w));
        _windowIndex = w;
    }

    private void ReadChunkInto(int index)
    {
        if (!_source.TryReadChunk(index, _chunk))
            throw new InvalidDataException($"{_source.Name} has no chunk {index + 1} any more: the file changed during training.");
        _encoder.Encode(_chunk, _window);
    }

    // Row `row` of the window into row `i` of the batch: a missing label trains nothing (weight 0, target 0).
    private void CopyRow(int row, int i, ShardBatch batch)
    {
        var numeric = _window.Numeric(row);
        numeric.CopyTo(batch.Numeric.Data.Slice(i * numeric.Length, numeric.Length));
        var categorical = _window.Categorical(row);
        categorical.CopyTo(batch.Categorical.AsSpan(i * categorical.Length, categorical.Length));
        var labels = _window.Labels(row);
        float weight = _window.Weight(row);
        for (int t = 0; t < _taskColumns.Length; t++)
        {
            float label = labels[_taskColumns[t]];
            bool missing = MultiTaskDataset.IsMissing(label);
            batch.Targets[t].Data[i] = missing ? 0f : label;
            batch.Weights[t].Data[i] = missing ? 0f : weight;
        }
    }

    // Distinct, well-spread generator streams per (rank, pass, window): the SplitMix64 finaliser of a combination.
    private static ulong Mix(ulong a, ulong b) => SplitMix64.Finalize(a ^ (b + 0x9E37_79B9_7F4A_7C15UL + (a << 6) + (a >> 2)));

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }
}

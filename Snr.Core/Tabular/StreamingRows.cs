using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// The training rows of a file as a <see cref="IRowStream"/>, never all in memory: each epoch
/// reads the chunks in a seeded order, encodes their training rows on a background task (the
/// other core) with the fitted encoder, and hands them through a bounded channel to a
/// <see cref="ShuffleBuffer"/> of <see cref="ShuffleBufferRows"/> rows, from which the trainer takes its batches.
/// </summary>
/// <remarks>
/// <para>
/// Shuffle quality: chunks of <c>ChunkRows</c> rows arrive in a seeded random order each epoch
/// (a permutation of the chunk numbers, stream = the epoch), and within that the buffer moves a
/// row at most <see cref="ShuffleBufferRows"/> rows earlier (see <see cref="ShuffleBuffer"/>). Rows
/// of the same chunk therefore tend to meet in the same stretch of an epoch; a buffer of several
/// chunks mixes several chunks at a time.
/// </para>
/// <para>
/// With one chunk holding the whole file and a buffer holding every training row, an epoch
/// visits the rows in exactly the order <see cref="Training.Trainer"/> visits the same rows in
/// memory, so training is the same to the bit.
/// </para>
/// <para>Memory: the producer's chunk, two encoded chunks in the channel, and the buffer.</para>
/// </remarks>
public sealed class StreamingRows : IRowStream
{
    /// <summary>The default shuffle buffer: 262,144 rows (about 44 MB for 40 columns).</summary>
    public const int DefaultShuffleBufferRows = 1 << 18;

    private const int ChunksInFlight = 2;
    private const ulong ChunkOrderStream = 0xC4A4_0000_0000_0000UL;

    private readonly IRowChunkSource _source;
    private readonly ChunkEncoder _encoder;
    private readonly ShuffleBuffer _buffer;
    private readonly EncodedRows[] _blocks;
    private readonly RowChunk _chunk;
    private readonly CancellationToken _cancellation;

    /// <summary>Streams the training rows of <paramref name="source"/> as <paramref name="fit"/> chose them and encodes them with its encoder.</summary>
    /// <exception cref="ArgumentException">The file lacks a column of the schema.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer is not positive.</exception>
    public StreamingRows(IRowChunkSource source, StreamingFit fit, int shuffleBufferRows = DefaultShuffleBufferRows, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shuffleBufferRows);
        _source = source;
        _encoder = fit.NewChunkEncoder(source);
        Count = fit.TrainRows;
        TaskNames = _encoder.TaskNames;
        var first = _encoder.NewBlock();
        NumericCount = first.NumericCount;
        CategoricalCount = first.CategoricalCount;
        _blocks = [first, .. Enumerable.Range(1, ChunksInFlight).Select(_ => _encoder.NewBlock())];
        ShuffleBufferRows = (int)Math.Min(shuffleBufferRows, Math.Max(Count, 1));
        _buffer = new ShuffleBuffer(ShuffleBufferRows, NumericCount, CategoricalCount, TaskNames.Count);
        _chunk = new RowChunk(source.Name, source.ColumnNames);
        _cancellation = cancellation;
    }

    /// <inheritdoc />
    public int NumericCount { get; }

    /// <inheritdoc />
    public int CategoricalCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames { get; }

    /// <inheritdoc />
    public long Count { get; }

    /// <summary>The shuffle buffer's rows (the requested size, or the training rows when there are fewer).</summary>
    public int ShuffleBufferRows { get; }

    /// <inheritdoc />
    public IRowStreamEpoch Open(int epoch, ulong seed)
    {
        var order = new int[_source.ChunkCount];
        Shuffle.Permutation(order, seed, ChunkOrderStream | (uint)epoch);
        var reader = new ReadAhead<EncodedRows>(order, _blocks, Produce, _cancellation);
        _buffer.Start(seed, epoch);
        return new Epoch(this, reader);
    }

    // On the producer task: read chunk `index` and encode its training rows.
    private bool Produce(int index, EncodedRows block)
    {
        block.Clear();
        if (!_source.TryReadChunk(index, _chunk))
            throw new InvalidDataException($"{_source.Name} has no chunk {index + 1} any more: the file changed during training.");
        _encoder.Encode(_chunk, block);
        return true;
    }

    private sealed class Epoch(StreamingRows rows, ReadAhead<EncodedRows> reader) : IRowStreamEpoch
    {
        private long _emitted;

        public void Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights)
        {
            int n = rows.NumericCount, c = rows.CategoricalCount, t = rows.TaskNames.Count;
            for (int i = 0; i < weights.Length; i++)
            {
                if (!rows._buffer.Next(numeric.Slice(i * n, n), categorical.Slice(i * c, c), labels.Slice(i * t, t), out weights[i], Take, reader.Return))
                    throw new InvalidDataException($"{rows._source.Name} gave {_emitted:N0} training rows in this epoch, but {rows.Count:N0} when it was first read: the file changed during training.");
                _emitted++;
            }
        }

        private EncodedRows? Take() => reader.TryTake(out var block) ? block : null;

        public void Dispose() => reader.Dispose();
    }
}

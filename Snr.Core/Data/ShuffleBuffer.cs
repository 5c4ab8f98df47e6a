using Snr.Kernels;

namespace Snr.Core.Data;

/// <summary>
/// Shuffles a stream of rows within a buffer of <see cref="Capacity"/> rows: rows fill the buffer;
/// once it is full, each incoming row replaces a row drawn uniformly from the buffer, which is
/// emitted; at the end of the stream the rows left are emitted in a seeded random permutation.
/// </summary>
/// <remarks>
/// <para>
/// Shuffle quality: a row is emitted at most <see cref="Capacity"/> rows before its position in
/// the incoming stream (it cannot leave before it arrives, and the buffer holds the only rows
/// ahead of it); after arriving it waits a geometric number of steps, of mean
/// <see cref="Capacity"/>, so it may travel any distance later. With streams longer than the buffer
/// the order is therefore local: mixing across the whole data comes from the order the rows
/// arrive in (chunks in a seeded order per epoch).
/// </para>
/// <para>
/// When the whole epoch fits in the buffer, nothing is emitted before the stream ends, and the
/// final permutation is <c>Shuffle.Permutation</c> of (seed, epoch) over the rows in arrival order:
/// exactly the order in which <see cref="Training.Trainer"/> visits an in-memory dataset.
/// </para>
/// </remarks>
internal sealed class ShuffleBuffer
{
    private const ulong ReplacementStream = 0x5B0F_0000_0000_0000UL;

    private readonly EncodedRows _rows;
    private int[] _drain = [];
    private int _drainCount, _drainNext;
    private bool _draining;
    private EncodedRows? _incoming;
    private int _incomingRow;
    private CounterRng _rng;
    private ulong _seed, _stream, _step;
    private int _epoch;

    public ShuffleBuffer(int capacity, int numericCount, int categoricalCount, int taskCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _rows = new EncodedRows(numericCount, categoricalCount, taskCount);
    }

    /// <summary>The most rows the buffer holds.</summary>
    public int Capacity { get; }

    /// <summary>Empties the buffer for epoch <paramref name="epoch"/> under <paramref name="seed"/>.</summary>
    public void Start(ulong seed, int epoch)
    {
        _rows.Clear();
        _draining = false;
        _incoming = null;
        _incomingRow = 0;
        _seed = seed;
        _epoch = epoch;
        _rng = new CounterRng(seed);
        _stream = ReplacementStream | (uint)epoch;
        _step = 0;
    }

    /// <summary>
    /// Emits the next row into the row spans (<paramref name="numeric"/>, <paramref name="categorical"/>,
    /// <paramref name="labels"/>) and <paramref name="weight"/>, taking
    /// incoming blocks from <paramref name="take"/> (null at the end of the stream) and handing each
    /// back through <paramref name="release"/> once its rows are in the buffer; false when every row has been emitted.
    /// </summary>
    public bool Next(Span<float> numeric, Span<int> categorical, Span<float> labels, out float weight, Func<EncodedRows?> take, Action<EncodedRows> release)
    {
        weight = 0f;
        while (true)
        {
            if (_draining)
            {
                if (_drainNext == _drainCount) return false;
                weight = _rows.CopyRow(_drain[_drainNext++], numeric, categorical, labels);
                return true;
            }
            if (_incoming is not null && _incomingRow < _incoming.Count)
            {
                if (_rows.Count < Capacity)
                {
                    _rows.CopyRow(_incoming, _incomingRow++, _rows.AddRow());
                    continue;
                }
                int slot = (int)(((ulong)_rng.NextBits(_stream, _step++) * (ulong)Capacity) >> 32);
                weight = _rows.CopyRow(slot, numeric, categorical, labels);
                _rows.CopyRow(_incoming, _incomingRow++, slot);
                return true;
            }
            if (_incoming is not null) release(_incoming);
            _incoming = take();
            _incomingRow = 0;
            if (_incoming is null)
            {
                _draining = true;
                _drainCount = _rows.Count;
                _drainNext = 0;
                if (_drain.Length < _drainCount) _drain = new int[_drainCount];
                Shuffle.Permutation(_drain.AsSpan(0, _drainCount), _seed, stream: (ulong)_epoch);
            }
        }
    }
}

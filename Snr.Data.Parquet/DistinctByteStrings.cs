namespace Snr.Data.Parquet;

/// <summary>
/// The distinct byte strings of a column chunk, each numbered once in order of first appearance
/// (an open-addressing table over a copy of their bytes), so that a string column's values are
/// kept as distinct values with an index per row, without an object per value.
/// </summary>
internal sealed class DistinctByteStrings
{
    private byte[] _bytes = new byte[4096];
    private int _byteCount;
    private int[] _starts = new int[256], _lengths = new int[256], _hashes = new int[256];
    private int[] _slots = new int[512]; // index + 1 of the string in each slot; 0 free
    private int _slotMask = 511;

    /// <summary>The number of distinct strings.</summary>
    public int Count { get; private set; }

    /// <summary>The total bytes of the distinct strings.</summary>
    public int ByteCount => _byteCount;

    /// <summary>Distinct string <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(_starts[index], _lengths[index]);

    /// <summary>Forgets every string (keeping the buffers).</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
        _byteCount = 0;
    }

    /// <summary>The number of <paramref name="value"/>, added if new.</summary>
    public int Add(ReadOnlySpan<byte> value)
    {
        var hasher = new HashCode();
        hasher.AddBytes(value);
        int hash = hasher.ToHashCode();
        int slot = hash & _slotMask;
        while (_slots[slot] != 0)
        {
            int known = _slots[slot] - 1;
            if (_hashes[known] == hash && this[known].SequenceEqual(value)) return known;
            slot = (slot + 1) & _slotMask;
        }
        int index = Count++;
        if (index == _starts.Length)
        {
            Array.Resize(ref _starts, index * 2);
            Array.Resize(ref _lengths, index * 2);
            Array.Resize(ref _hashes, index * 2);
        }
        if (_bytes.Length - _byteCount < value.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + value.Length));
        value.CopyTo(_bytes.AsSpan(_byteCount));
        (_starts[index], _lengths[index], _hashes[index]) = (_byteCount, value.Length, hash);
        _byteCount += value.Length;
        _slots[slot] = index + 1;
        if (Count * 2 > _slots.Length) Rehash();
        return index;
    }

    // Doubles the table, keeping it at most half full.
    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        _slotMask = _slots.Length - 1;
        for (int index = 0; index < Count; index++)
        {
            int slot = _hashes[index] & _slotMask;
            while (_slots[slot] != 0) slot = (slot + 1) & _slotMask;
            _slots[slot] = index + 1;
        }
    }
}

using System.Buffers.Binary;

namespace Snr.Data.Parquet;

/// <summary>
/// A string column chunk's values as distinct texts with an index per row, without an object per
/// value: each value's UTF-8 bytes are numbered by <see cref="DistinctByteStrings"/>, and each
/// distinct value is decoded once, into one new array of characters per column chunk. A null reads
/// as the empty text, as an empty string does.
/// </summary>
internal sealed class StringPageValues : PageValues<int>
{
    private readonly DistinctByteStrings _strings = new();
    private int[] _rowValues = [];
    private ReadOnlyMemory<char>[] _texts = [];

    /// <summary>For each row of the column chunk, the index of its text in <see cref="Texts"/>.</summary>
    public ReadOnlySpan<int> RowValues(int rows) => _rowValues.AsSpan(0, rows);

    /// <summary>
    /// The distinct texts, decoded from UTF-8 into a new array of characters (the caller may keep them);
    /// the span itself is reused by the next column chunk.
    /// </summary>
    public ReadOnlySpan<ReadOnlyMemory<char>> Texts()
    {
        int count = _strings.Count;
        if (_texts.Length < count) _texts = new ReadOnlyMemory<char>[Math.Max(count, _texts.Length * 2)];
        var characters = new char[_strings.ByteCount]; // UTF-8 decodes to at most one character per byte
        for (int i = 0, at = 0; i < count; i++)
        {
            int written = System.Text.Encoding.UTF8.GetChars(_strings[i], characters.AsSpan(at));
            _texts[i] = characters.AsMemory(at, written);
            at += written;
        }
        return _texts.AsSpan(0, count);
    }

    /// <inheritdoc />
    protected override void StartRows(int rows)
    {
        _strings.Clear();
        if (_rowValues.Length < rows) _rowValues = new int[rows];
    }

    // Plain byte arrays: each a 4-byte little-endian length and its bytes; a value decodes to its distinct string's number.
    /// <inheritdoc />
    protected override void DecodePlain(ReadOnlySpan<byte> bytes, Span<int> values)
    {
        int position = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (bytes.Length - position < 4) throw new InvalidDataException($"plain values end after {i} of {values.Length}");
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            position += 4;
            if (length < 0 || length > bytes.Length - position) throw new InvalidDataException($"a value of {length} bytes where {bytes.Length - position} are left");
            values[i] = _strings.Add(bytes.Slice(position, length));
            position += length;
        }
    }

    /// <inheritdoc />
    protected override void SetRows(int firstRow, ReadOnlySpan<int> values, ReadOnlySpan<int> levels, int maxLevel)
    {
        if (levels.IsEmpty)
        {
            values.CopyTo(_rowValues.AsSpan(firstRow));
            return;
        }
        int nullValue = -1;
        for (int r = 0, v = 0; r < levels.Length; r++)
        {
            if (levels[r] == maxLevel) _rowValues[firstRow + r] = values[v++];
            else _rowValues[firstRow + r] = nullValue >= 0 ? nullValue : nullValue = _strings.Add([]);
        }
    }
}

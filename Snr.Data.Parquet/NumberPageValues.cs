using System.Runtime.InteropServices;

namespace Snr.Data.Parquet;

/// <summary>
/// A number column chunk's values in their own type (a physical type of the same width: INT32 as
/// int, INT64 as long, FLOAT, DOUBLE), with a flag per row for nulls, in buffers kept from one column chunk to the next.
/// </summary>
/// <typeparam name="T">int, long, float or double.</typeparam>
internal sealed class NumberPageValues<T> : PageValues<T> where T : unmanaged
{
    private T[] _rows = [];
    private bool[] _missing = [];

    /// <summary>The column chunk's values, one per row (a null: 0).</summary>
    public Span<T> Values(int rows) => _rows.AsSpan(0, rows);

    /// <summary>For each row, whether it is null.</summary>
    public ReadOnlySpan<bool> Missing(int rows) => _missing.AsSpan(0, rows);

    /// <inheritdoc />
    protected override void StartRows(int rows)
    {
        if (_rows.Length >= rows) return;
        _rows = new T[rows];
        _missing = new bool[rows];
    }

    // Plain numbers: little-endian, of T's width, one after the other (the caller checks that the machine is little-endian).
    /// <inheritdoc />
    protected override void DecodePlain(ReadOnlySpan<byte> bytes, Span<T> values)
    {
        int size = values.Length * Marshal.SizeOf<T>();
        if (bytes.Length < size) throw new InvalidDataException($"plain values of {bytes.Length} bytes where {values.Length} numbers take {size}");
        MemoryMarshal.Cast<byte, T>(bytes[..size]).CopyTo(values);
    }

    /// <inheritdoc />
    protected override void SetRows(int firstRow, ReadOnlySpan<T> values, ReadOnlySpan<int> levels, int maxLevel)
    {
        if (levels.IsEmpty)
        {
            values.CopyTo(_rows.AsSpan(firstRow));
            _missing.AsSpan(firstRow, values.Length).Clear();
            return;
        }
        for (int r = 0, v = 0; r < levels.Length; r++)
        {
            bool missing = levels[r] != maxLevel;
            _missing[firstRow + r] = missing;
            _rows[firstRow + r] = missing ? default : values[v++];
        }
    }
}

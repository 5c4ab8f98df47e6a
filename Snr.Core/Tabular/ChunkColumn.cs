using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Snr.Core.Tabular;

/// <summary>
/// The values of one column of a <see cref="RowChunk"/> filled column by column from a typed file
/// (a Parquet row group): numbers in their own type, or texts as a list of distinct values with
/// one index per row. The texts a CSV file would hold are still available per row
/// (<see cref="Field"/>); numbers are formatted only when asked.
/// </summary>
internal sealed class ChunkColumn
{
    private NumberTexts? _numbers;
    private float[] _floats = [];
    private NumberState[] _states = [];
    private ReadOnlyMemory<char>[] _distinct = [];
    private int[] _rowValues = [];
    private char[] _text = [];
    private int[] _textEnds = [];
    private bool _formatted;
    private int _rows, _distinctCount;

    /// <summary>How a row's number reads without its text.</summary>
    public enum NumberState : byte
    {
        /// <summary><see cref="Number"/> is the float the row's text parses to.</summary>
        Number,

        /// <summary>The value is null: missing.</summary>
        Missing,

        /// <summary>The float conversion could differ from parsing the text (or fails): read the text.</summary>
        AsText,
    }

    /// <summary>True for a column of numbers, false for a column of texts.</summary>
    public bool IsNumbers { get; private set; }

    /// <summary>Sets the column to <paramref name="values"/>, null where <paramref name="missing"/> says so (an empty span: none).</summary>
    public void SetNumbers<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> missing, string? format) where T : struct, INumberBase<T>, ISpanFormattable
    {
        int rows = values.Length;
        Reset(rows, numbers: true);
        if (_floats.Length < rows)
        {
            _floats = new float[rows];
            _states = new NumberState[rows];
        }
        var texts = _numbers as NumberTexts<T> ?? new NumberTexts<T>();
        texts.Set(values, format);
        _numbers = texts;
        for (int r = 0; r < rows; r++)
            _states[r] = !missing.IsEmpty && missing[r] ? NumberState.Missing : FloatOf(values[r], out _floats[r]);
    }

    /// <summary>Sets the column to the texts <paramref name="distinct"/>[<paramref name="rowValues"/>[row]] (kept by reference until the next set).</summary>
    public void SetTexts(ReadOnlySpan<ReadOnlyMemory<char>> distinct, ReadOnlySpan<int> rowValues)
    {
        Reset(rowValues.Length, numbers: false);
        if (_distinct.Length < distinct.Length) _distinct = new ReadOnlyMemory<char>[Math.Max(distinct.Length, _distinct.Length * 2)];
        if (_rowValues.Length < rowValues.Length) _rowValues = new int[rowValues.Length];
        distinct.CopyTo(_distinct);
        Array.Clear(_distinct, distinct.Length, _distinctCount > distinct.Length ? _distinctCount - distinct.Length : 0);
        for (int r = 0; r < rowValues.Length; r++)
        {
            if ((uint)rowValues[r] >= (uint)distinct.Length)
                throw new ArgumentOutOfRangeException(nameof(rowValues), $"Row {r} refers to distinct value {rowValues[r]} of {distinct.Length}.");
            _rowValues[r] = rowValues[r];
        }
        _distinctCount = distinct.Length;
    }

    /// <summary>The state of row <paramref name="row"/>'s number (a column of numbers only).</summary>
    public NumberState StateOf(int row) => _states[row];

    /// <summary>The float of row <paramref name="row"/> when <see cref="StateOf"/> is <see cref="NumberState.Number"/>.</summary>
    public float Number(int row) => _floats[row];

    /// <summary>The distinct texts of a column of texts.</summary>
    public ReadOnlySpan<ReadOnlyMemory<char>> Distinct => _distinct.AsSpan(0, _distinctCount);

    /// <summary>For each row (the first rows entries), the index of its text in <see cref="Distinct"/>.</summary>
    public int[] RowValues => _rowValues;

    /// <summary>
    /// The bits of row <paramref name="row"/>'s number and its type, a key under which its text can
    /// be remembered (equal keys, equal texts); false for a null or a type wider than 8 bytes.
    /// </summary>
    public bool TryGetNumberKey(int row, out ulong bits, out Type type)
    {
        type = _numbers!.Type;
        bits = 0;
        return _states[row] != NumberState.Missing && _numbers.TryGetBits(row, out bits);
    }

    /// <summary>Writes row <paramref name="row"/>'s number as text (not null) to <paramref name="destination"/>; false when it does not fit.</summary>
    public bool TryFormatNumber(int row, Span<char> destination, out int written) => _numbers!.TryFormat(row, destination, out written);

    /// <summary>Row <paramref name="row"/>'s value as the text a CSV file would hold (a null: empty).</summary>
    public ReadOnlySpan<char> Field(int row)
    {
        if (!IsNumbers) return _distinct[_rowValues[row]].Span;
        if (!_formatted) FormatAll();
        int start = row == 0 ? 0 : _textEnds[row - 1];
        return _text.AsSpan(start, _textEnds[row] - start);
    }

    private void Reset(int rows, bool numbers)
    {
        IsNumbers = numbers;
        _rows = rows;
        _formatted = false;
    }

    // The numbers' texts, written once for the rows of the chunk the first time one is asked for (errors, labels, row hashes).
    private void FormatAll()
    {
        if (_textEnds.Length < _rows) _textEnds = new int[_rows];
        int length = 0;
        for (int r = 0; r < _rows; r++)
        {
            if (_states[r] != NumberState.Missing)
            {
                int written;
                while (!_numbers!.TryFormat(r, _text.AsSpan(length), out written)) Array.Resize(ref _text, Math.Max(64, _text.Length * 2));
                length += written;
            }
            _textEnds[r] = length;
        }
        _formatted = true;
    }

    // The float that parsing the value's text gives (FastNumber, float.TryParse: the nearest float to the decimal text), when
    // converting is sure to give the same: the value is exactly a double, and that double is not a tie between two floats
    // (the shortest text of a double lies within half a double step of it, so only an exact tie can round the other way),
    // nor outside the normal finite float range. Otherwise the text decides.
    private static NumberState FloatOf<T>(T value, out float number) where T : struct, INumberBase<T>
    {
        number = 0f;
        double wide = double.CreateSaturating(value);
        if (T.CreateSaturating(wide) != value) return NumberState.AsText;
        float narrow = (float)wide;
        if (!float.IsFinite(narrow)) return NumberState.AsText;
        if (wide != 0 && Math.Abs(wide) < SmallestNormalFloat) return NumberState.AsText;
        if ((BitConverter.DoubleToInt64Bits(wide) & FloatDroppedBits) == FloatTieBits) return NumberState.AsText;
        number = narrow;
        return NumberState.Number;
    }

    private const double SmallestNormalFloat = 1.1754943508222875e-38;  // 2^-126
    private const long FloatDroppedBits = (1L << 29) - 1;               // the 29 mantissa bits a double has beyond a float's 23
    private const long FloatTieBits = 1L << 28;                        // exactly half a float step

    private abstract class NumberTexts
    {
        public abstract Type Type { get; }

        public abstract bool TryFormat(int row, Span<char> destination, out int written);

        public abstract bool TryGetBits(int row, out ulong bits);
    }

    // The column's values in their own type, formatted as the Parquet reader always wrote them (floating point round-trippable).
    private sealed class NumberTexts<T> : NumberTexts where T : struct, ISpanFormattable
    {
        private T[] _values = [];
        private string? _format;

        public void Set(ReadOnlySpan<T> values, string? format)
        {
            if (_values.Length < values.Length) _values = new T[values.Length];
            values.CopyTo(_values);
            _format = format;
        }

        public override Type Type => typeof(T);

        public override bool TryFormat(int row, Span<char> destination, out int written) =>
            _values[row].TryFormat(destination, out written, _format, CultureInfo.InvariantCulture);

        public override bool TryGetBits(int row, out ulong bits)
        {
            bits = 0;
            if (Unsafe.SizeOf<T>() > sizeof(ulong)) return false;
            Unsafe.WriteUnaligned(ref Unsafe.As<ulong, byte>(ref bits), _values[row]);
            return true;
        }
    }
}

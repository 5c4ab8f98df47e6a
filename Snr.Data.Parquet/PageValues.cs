namespace Snr.Data.Parquet;

/// <summary>
/// Takes the values of a column chunk's pages from <see cref="ColumnChunkPages"/>: the dictionary,
/// then each data page's values (those not null), plain or as dictionary indices, with the page's
/// definition levels.
/// </summary>
internal abstract class PageValues
{
    /// <summary>Starts a column chunk of <paramref name="rows"/> rows.</summary>
    public abstract void Start(int rows);

    /// <summary>True for the data pages' value encodings read here: plain and dictionary indices.</summary>
    public static bool Reads(int encoding) => encoding is PageHeader.Plain or PageHeader.PlainDictionary or PageHeader.RleDictionary;

    /// <summary>Reads the column chunk's dictionary: <paramref name="count"/> plain-encoded values.</summary>
    /// <exception cref="InvalidDataException">The bytes do not hold them.</exception>
    public abstract void ReadDictionary(ReadOnlySpan<byte> bytes, int count);

    /// <summary>
    /// Reads a data page: <paramref name="defined"/> values in <paramref name="encoding"/>, for the rows from
    /// <paramref name="firstRow"/> on; one per row without <paramref name="levels"/>, else a row is null where
    /// its level is below <paramref name="maxLevel"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes do not hold the values, or an index is outside the dictionary.</exception>
    public abstract void ReadPage(int encoding, ReadOnlySpan<byte> bytes, int defined, int firstRow, ReadOnlySpan<int> levels, int maxLevel);
}

/// <summary>A <see cref="PageValues"/> whose values decode to <typeparamref name="TValue"/> each; dictionary indices are looked up here.</summary>
internal abstract class PageValues<TValue> : PageValues
{
    private TValue[] _dictionary = [];
    private int _dictionaryCount;
    private TValue[] _values = [];
    private int[] _indices = [];

    /// <inheritdoc />
    public sealed override void Start(int rows)
    {
        _dictionaryCount = 0;
        StartRows(rows);
    }

    /// <inheritdoc />
    public sealed override void ReadDictionary(ReadOnlySpan<byte> bytes, int count)
    {
        // Every value read here takes at least 4 bytes (a string's length, the narrowest number), so a damaged count cannot ask for more memory than the page.
        if ((long)count * 4 > bytes.Length) throw new InvalidDataException($"a dictionary of {count} values in {bytes.Length} bytes");
        if (_dictionary.Length < count) _dictionary = new TValue[count];
        DecodePlain(bytes, _dictionary.AsSpan(0, count));
        _dictionaryCount = count;
    }

    /// <inheritdoc />
    public sealed override void ReadPage(int encoding, ReadOnlySpan<byte> bytes, int defined, int firstRow, ReadOnlySpan<int> levels, int maxLevel)
    {
        if (_values.Length < defined) _values = new TValue[defined];
        var values = _values.AsSpan(0, defined);
        if (encoding == PageHeader.Plain) DecodePlain(bytes, values);
        else if (defined > 0)
        {
            // Dictionary indices: a byte with their bit width, then RLE/bit-packed runs.
            if (bytes.IsEmpty) throw new InvalidDataException("a dictionary-encoded page without its indices");
            if (_indices.Length < defined) _indices = new int[defined];
            var indices = _indices.AsSpan(0, defined);
            RleBitPackedHybrid.Decode(bytes[1..], bytes[0], indices);
            for (int i = 0; i < defined; i++)
            {
                if ((uint)indices[i] >= (uint)_dictionaryCount) throw new InvalidDataException($"dictionary index {indices[i]} of a dictionary of {_dictionaryCount}");
                values[i] = _dictionary[indices[i]];
            }
        }
        SetRows(firstRow, values, levels, maxLevel);
    }

    /// <summary>Starts the rows of a column chunk.</summary>
    protected abstract void StartRows(int rows);

    /// <summary>Decodes plain-encoded values, one into each element of <paramref name="values"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes do not hold them.</exception>
    protected abstract void DecodePlain(ReadOnlySpan<byte> bytes, Span<TValue> values);

    /// <summary>Sets the rows from <paramref name="firstRow"/> on to <paramref name="values"/> and nulls (as <see cref="ReadPage"/> describes them).</summary>
    protected abstract void SetRows(int firstRow, ReadOnlySpan<TValue> values, ReadOnlySpan<int> levels, int maxLevel);
}

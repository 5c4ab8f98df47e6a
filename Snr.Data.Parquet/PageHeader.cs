namespace Snr.Data.Parquet;

/// <summary>The kinds of Parquet page (the format's <c>PageType</c>).</summary>
internal enum PageKind
{
    /// <summary>Values of a data page, version 1 (levels compressed with the values).</summary>
    Data = 0,

    /// <summary>An index page (not used by readers of values).</summary>
    Index = 1,

    /// <summary>The column chunk's dictionary: the distinct values that data pages refer to by index.</summary>
    Dictionary = 2,

    /// <summary>Values of a data page, version 2 (levels stored uncompressed before the values).</summary>
    DataV2 = 3,
}

/// <summary>
/// What a reader of a flat column needs from a Parquet page header (Thrift's <c>PageHeader</c> with its
/// data, dictionary or data-v2 header): the page's kind and sizes, how many values it holds and how they are encoded.
/// </summary>
/// <param name="Kind">The page's kind.</param>
/// <param name="UncompressedSize">The page's bytes after decompression (without the header).</param>
/// <param name="CompressedSize">The page's bytes in the file (without the header).</param>
/// <param name="ValueCount">Values in the page, nulls included (a dictionary page: its entries).</param>
/// <param name="Encoding">The values' encoding (the format's <c>Encoding</c> numbers).</param>
/// <param name="LevelEncoding">The definition levels' encoding (data pages of version 1).</param>
/// <param name="NullCount">Nulls in the page (data pages of version 2).</param>
/// <param name="DefinitionLevelBytes">The bytes of the definition levels (data pages of version 2).</param>
/// <param name="RepetitionLevelBytes">The bytes of the repetition levels (data pages of version 2).</param>
/// <param name="ValuesCompressed">Whether the values are compressed (data pages of version 2; otherwise true).</param>
internal readonly record struct PageHeader(PageKind Kind, int UncompressedSize, int CompressedSize, int ValueCount, int Encoding, int LevelEncoding,
    int NullCount, int DefinitionLevelBytes, int RepetitionLevelBytes, bool ValuesCompressed)
{
    /// <summary>The format's encoding numbers that a string column reader meets.</summary>
    public const int Plain = 0, PlainDictionary = 2, Rle = 3, BitPacked = 4, RleDictionary = 8;

    /// <summary>Reads the header at the start of <paramref name="bytes"/>; <paramref name="length"/> is its length in bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a page header of a known kind with its sizes and value count.</exception>
    public static PageHeader Read(ReadOnlySpan<byte> bytes, out int length)
    {
        var reader = new ThriftCompactReader(bytes);
        int kind = -1, uncompressed = -1, compressed = -1, values = -1, encoding = -1, levelEncoding = Rle, nulls = 0, definitionBytes = 0, repetitionBytes = 0;
        bool valuesCompressed = true;
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id, type)
            {
                case (1, ThriftCompactReader.I32): kind = reader.ReadInt32(); break;
                case (2, ThriftCompactReader.I32): uncompressed = reader.ReadInt32(); break;
                case (3, ThriftCompactReader.I32): compressed = reader.ReadInt32(); break;
                case (5 or 7 or 8, ThriftCompactReader.Struct):
                    {
                        // The data (5), dictionary (7) and data-v2 (8) headers number their fields alike up to the encoding.
                        short inner = 0;
                        while (reader.NextField(ref inner, out short field, out byte fieldType))
                        {
                            switch (id, field, fieldType)
                            {
                                case (_, 1, ThriftCompactReader.I32): values = reader.ReadInt32(); break;
                                case (5 or 7, 2, ThriftCompactReader.I32): encoding = reader.ReadInt32(); break;
                                case (5, 3, ThriftCompactReader.I32): levelEncoding = reader.ReadInt32(); break;
                                case (8, 2, ThriftCompactReader.I32): nulls = reader.ReadInt32(); break;
                                case (8, 4, ThriftCompactReader.I32): encoding = reader.ReadInt32(); break;
                                case (8, 5, ThriftCompactReader.I32): definitionBytes = reader.ReadInt32(); break;
                                case (8, 6, ThriftCompactReader.I32): repetitionBytes = reader.ReadInt32(); break;
                                case (8, 7, ThriftCompactReader.True or ThriftCompactReader.False): valuesCompressed = fieldType == ThriftCompactReader.True; break;
                                default: reader.Skip(fieldType); break;
                            }
                        }
                        break;
                    }
                default: reader.Skip(type); break;
            }
        }
        length = reader.Position;
        if (kind is < 0 or > 3 || uncompressed < 0 || compressed < 0)
            throw new InvalidDataException($"a page header of kind {kind} with sizes {compressed} and {uncompressed} bytes");
        var page = new PageHeader((PageKind)kind, uncompressed, compressed, values, encoding, levelEncoding, nulls, definitionBytes, repetitionBytes, valuesCompressed);
        if (page.Kind != PageKind.Index && (values < 0 || encoding < 0 || nulls < 0 || nulls > values || definitionBytes < 0 || repetitionBytes < 0
            || (long)definitionBytes + repetitionBytes > Math.Min(compressed, uncompressed)))
            throw new InvalidDataException($"a {page.Kind} page header with {values} values, {nulls} nulls, encoding {encoding} and level bytes {repetitionBytes} and {definitionBytes}");
        return page;
    }
}

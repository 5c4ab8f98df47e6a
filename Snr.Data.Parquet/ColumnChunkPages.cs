using Microsoft.Win32.SafeHandles;
using Parquet.Meta;
using Encoding = Parquet.Meta.Encoding;

namespace Snr.Data.Parquet;

/// <summary>
/// Reads the pages of a flat column's chunk in a row group straight from the file, into buffers
/// kept from one row group to the next: page headers, decompression and definition levels are
/// decoded here, the values by a <see cref="PageValues"/>. Parquet.Net 6.1 allocates its buffers
/// anew for every column chunk it reads (on the large-object heap, which only full collections free,
/// so a streamed file's heap grows with its reading speed) and a <c>char[]</c> for every plain-encoded string.
/// </summary>
/// <remarks>
/// Reads column chunks uncompressed or compressed with a codec of <see cref="PageCodec"/> (<see cref="CanRead"/>), in data
/// pages of version 1 or 2 with RLE definition levels, and a dictionary page; a page in an encoding
/// the values' reader does not read makes <see cref="TryRead"/> return false, for the caller to read
/// the column through Parquet.Net.
/// </remarks>
/// <param name="file">The Parquet file, read at the column chunk's offset.</param>
/// <param name="maxDefinitionLevel">The column's maximum definition level (0: no nulls; 1: a flat nullable column).</param>
internal sealed class ColumnChunkPages(SafeFileHandle file, int maxDefinitionLevel)
{
    private readonly int _levelBits = RleBitPackedHybrid.BitWidth(maxDefinitionLevel);
    private byte[] _stored = [];        // the column chunk as stored in the file
    private byte[] _page = [];          // a page's decompressed bytes
    private int[] _levels = [];         // a page's definition levels

    /// <summary>
    /// True when <paramref name="chunk"/> is stored in the file itself, unencrypted, with values of
    /// <paramref name="physicalType"/>, in a codec this class decompresses and encodings it may read.
    /// </summary>
    public static bool CanRead(ColumnChunk? chunk, global::Parquet.Meta.Type physicalType) =>
        chunk is { FilePath: null, CryptoMetadata: null, MetaData: { } meta } && meta.Type == physicalType
        && PageCodec.IsReadable(meta.Codec)
        && meta.Encodings.All(e => e is Encoding.PLAIN or Encoding.PLAIN_DICTIONARY or Encoding.RLE_DICTIONARY or Encoding.RLE);

    /// <summary>
    /// Reads the <paramref name="rows"/> values of column chunk <paramref name="chunk"/> into <paramref name="values"/>
    /// (started for that many rows); false when a page is in an encoding that <paramref name="values"/> does not read.
    /// </summary>
    /// <exception cref="InvalidDataException">The pages are damaged: a header, a size, the levels or the values do not add up.</exception>
    /// <exception cref="EndOfStreamException">The file ends inside the column chunk.</exception>
    public bool TryRead(ColumnChunk chunk, int rows, PageValues values)
    {
        var meta = chunk.MetaData!;
        int length = ReadStored(meta);
        values.Start(rows);
        bool dictionary = false;
        int position = 0, row = 0;
        while (row < rows)
        {
            if (position >= length) throw new InvalidDataException($"the column chunk ends after {row} of {rows} values");
            var header = PageHeader.Read(_stored.AsSpan(position, length - position), out int headerLength);
            position += headerLength;
            if (header.CompressedSize > length - position) throw new InvalidDataException($"a page of {header.CompressedSize} bytes overruns the column chunk");
            if (header.UncompressedSize > meta.TotalUncompressedSize)
                throw new InvalidDataException($"a page of {header.UncompressedSize} bytes uncompressed in a column chunk of {meta.TotalUncompressedSize}");
            var stored = new ArraySegment<byte>(_stored, position, header.CompressedSize);
            position += header.CompressedSize;
            switch (header.Kind)
            {
                case PageKind.Dictionary:
                    if (header.Encoding is not (PageHeader.Plain or PageHeader.PlainDictionary)) return false;
                    if (dictionary) throw new InvalidDataException("a second dictionary page in one column chunk");
                    values.ReadDictionary(Decompressed(meta.Codec, stored, header.UncompressedSize), header.ValueCount);
                    dictionary = true;
                    break;
                case PageKind.Data or PageKind.DataV2:
                    if (!PageValues.Reads(header.Encoding) || (header.Kind == PageKind.Data && maxDefinitionLevel > 0 && header.LevelEncoding != PageHeader.Rle)) return false;
                    if (header.ValueCount > rows - row) throw new InvalidDataException($"a page of {header.ValueCount} values after {row} of the row group's {rows}");
                    if (header.Encoding != PageHeader.Plain && !dictionary) throw new InvalidDataException("a dictionary-encoded page before the column chunk's dictionary");
                    ReadDataPage(meta.Codec, header, stored, row, values);
                    row += header.ValueCount;
                    break;
            }
        }
        return true;
    }

    private int ReadStored(ColumnMetaData meta)
    {
        long start = meta.DictionaryPageOffset is long dictionary and > 0 ? Math.Min(dictionary, meta.DataPageOffset) : meta.DataPageOffset;
        if (start < 0 || meta.TotalCompressedSize <= 0 || meta.TotalCompressedSize > Array.MaxLength)
            throw new InvalidDataException($"a column chunk at offset {start} of {meta.TotalCompressedSize} bytes");
        int length = (int)meta.TotalCompressedSize;
        if (_stored.Length < length) _stored = new byte[length];
        for (int read = 0; read < length;)
        {
            int got = RandomAccess.Read(file, _stored.AsSpan(read, length - read), start + read);
            if (got == 0) throw new EndOfStreamException($"the file ends inside the column chunk at offset {start} of {length} bytes");
            read += got;
        }
        return length;
    }

    private ReadOnlySpan<byte> Decompressed(CompressionCodec codec, ArraySegment<byte> stored, int size)
    {
        if (codec == CompressionCodec.UNCOMPRESSED)
        {
            if (stored.Count != size) throw new InvalidDataException($"an uncompressed page of {stored.Count} bytes says it holds {size}");
            return stored;
        }
        if (_page.Length < size) _page = new byte[size];
        PageCodec.Decompress(codec, stored, _page.AsSpan(0, size));
        return _page.AsSpan(0, size);
    }

    // A data page: its definition levels, then its values (those not null) for the values' reader.
    private void ReadDataPage(CompressionCodec codec, PageHeader page, ArraySegment<byte> stored, int firstRow, PageValues values)
    {
        int count = page.ValueCount;
        if (_levels.Length < count) _levels = new int[count];
        var levels = maxDefinitionLevel > 0 ? _levels.AsSpan(0, count) : [];
        ReadOnlySpan<byte> bytes;
        if (page.Kind == PageKind.Data)
        {
            // Version 1: levels (length-prefixed) and values compressed together.
            bytes = Decompressed(codec, stored, page.UncompressedSize);
            int consumed = 0;
            if (maxDefinitionLevel > 0) RleBitPackedHybrid.Decode(RleBitPackedHybrid.LengthPrefixed(bytes, out consumed), _levelBits, levels);
            bytes = bytes[consumed..];
        }
        else
        {
            // Version 2: repetition and definition levels first, uncompressed, without length prefixes; then the values.
            int levelBytes = page.RepetitionLevelBytes + page.DefinitionLevelBytes;
            if (maxDefinitionLevel > 0) RleBitPackedHybrid.Decode(stored.AsSpan(page.RepetitionLevelBytes, page.DefinitionLevelBytes), _levelBits, levels);
            bytes = page.ValuesCompressed ? Decompressed(codec, stored[levelBytes..], page.UncompressedSize - levelBytes) : stored.AsSpan(levelBytes);
        }
        int defined = count;
        if (maxDefinitionLevel > 0)
        {
            defined = 0;
            foreach (int level in levels)
            {
                if (level > maxDefinitionLevel) throw new InvalidDataException($"a definition level of {level} in a column whose maximum is {maxDefinitionLevel}");
                defined += level == maxDefinitionLevel ? 1 : 0;
            }
        }
        values.ReadPage(page.Encoding, bytes, defined, firstRow, levels, maxDefinitionLevel);
    }
}

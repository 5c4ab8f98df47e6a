using System.Globalization;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using Snr.Data.Parquet;
using Encoding = Parquet.Meta.Encoding;
using PageHeader = Snr.Data.Parquet.PageHeader;
using PhysicalType = Parquet.Meta.Type;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, Parquet pages read without Parquet.Net: every value, null and row of files Parquet.Net
/// writes (strings plain and dictionary-encoded, numbers, nulls, empty and non-ASCII strings, row groups
/// of 1 to 1,299 rows, each codec) reads as Parquet.Net reads it; a column chunk of several pages (a
/// dictionary, data pages of versions 1 and 2, a fall-back to plain values, bit-packed and RLE runs) reads
/// as written; codecs not read here go through Parquet.Net with the same result.
/// </summary>
public sealed class ParquetPageTests() : TempFolderTests("snr-parquet-pages-")
{
    private static readonly DataField<string> Word = new("word", false);
    private static readonly DataField<string> City = new("city", true);
    private static readonly DataField<int> Count = new("count");
    private static readonly DataField<int?> Rank = new("rank");
    private static readonly DataField<long> Big = new("big");
    private static readonly DataField<float?> Amount = new("amount");
    private static readonly DataField<double> Ratio = new("ratio");
    private static readonly DataField<double?> Spend = new("spend");
    private static readonly DataField[] Fields = [Word, City, Count, Rank, Big, Amount, Ratio, Spend];

    // Row groups of these sizes; strings with nulls, empty strings and non-ASCII text; dictionary hints on two strings and an int when asked.
    private async Task<string> Write(CompressionMethod method, bool dictionary, int[] groupSizes)
    {
        string path = PathOf($"{method}-{dictionary}.parquet");
        var options = new ParquetOptions { CompressionMethod = method };
        if (dictionary)
            foreach (var field in new DataField[] { Word, City, Count }) options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
        var random = new Random(7);
        string[] words = ["", "a", "ß", "naïve", "東京", "x y", "😀", "long-word-of-some-length", "A"];
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(Fields), stream, options);
        int row = 0;
        foreach (int size in groupSizes)
        {
            var word = new string[size];
            var city = new string?[size];
            var count = new int[size];
            var rank = new int?[size];
            var big = new long[size];
            var amount = new float?[size];
            var ratio = new double[size];
            var spend = new double?[size];
            for (int i = 0; i < size; i++, row++)
            {
                word[i] = words[random.Next(words.Length)];
                city[i] = row % 5 == 1 ? null : row % 7 == 0 ? "" : $"city{random.Next(30)}é";
                count[i] = random.Next(12) - 3;
                rank[i] = row % 3 == 0 ? null : random.Next();
                big[i] = (long)(random.NextDouble() * long.MaxValue) - long.MaxValue / 2;
                amount[i] = row % 4 == 2 ? null : (float)(random.NextDouble() * 8 - 4);
                ratio[i] = row % 6 == 0 ? double.NaN : 1.0 / (row + 1);
                spend[i] = row % 9 == 4 ? null : Math.Round(random.NextDouble() * 50, 3);
            }
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(Word, word);
            await group.WriteAsync(City, city);
            await group.WriteAsync<int>(Count, count.AsMemory());
            await group.WriteAsync<int>(Rank, rank.AsMemory());
            await group.WriteAsync<long>(Big, big.AsMemory());
            await group.WriteAsync<float>(Amount, amount.AsMemory());
            await group.WriteAsync<double>(Ratio, ratio.AsMemory());
            await group.WriteAsync<double>(Spend, spend.AsMemory());
        }
        return path;
    }

    // Each row's value in each column as Parquet.Net reads it, as the text the chunk gives (a null: empty).
    private static async Task<List<string[]>> ReadThroughParquetNet(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var rows = new List<string[]>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var columns = new string[fields.Length][];
            for (int c = 0; c < fields.Length; c++) columns[c] = await Texts(group, fields[c], n);
            for (int r = 0; r < n; r++) rows.Add([.. columns.Select(column => column[r])]);
        }
        return rows;
    }

    private static async Task<string[]> Texts(ParquetRowGroupReader group, DataField field, int rows)
    {
        static string Format<T>(T? value, string? format) where T : struct, IFormattable => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";
        switch (field.Name)
        {
            case "word" or "city":
                {
                    var values = new string?[rows];
                    await group.ReadAsync(field, values.AsMemory());
                    return [.. values.Select(v => v ?? "")];
                }
            case "count": { var v = new int[rows]; await group.ReadAsync<int>(field, v.AsMemory()); return [.. v.Select(x => Format<int>(x, null))]; }
            case "rank": { var v = new int?[rows]; await group.ReadAsync<int>(field, v.AsMemory()); return [.. v.Select(x => Format(x, null))]; }
            case "big": { var v = new long[rows]; await group.ReadAsync<long>(field, v.AsMemory()); return [.. v.Select(x => Format<long>(x, null))]; }
            case "amount": { var v = new float?[rows]; await group.ReadAsync<float>(field, v.AsMemory()); return [.. v.Select(x => Format(x, "R"))]; }
            case "ratio": { var v = new double[rows]; await group.ReadAsync<double>(field, v.AsMemory()); return [.. v.Select(x => Format<double>(x, "R"))]; }
            default: { var v = new double?[rows]; await group.ReadAsync<double>(field, v.AsMemory()); return [.. v.Select(x => Format(x, "R"))]; }
        }
    }

    [Theory]
    [InlineData(CompressionMethod.None, false)]
    [InlineData(CompressionMethod.Snappy, false)]
    [InlineData(CompressionMethod.Snappy, true)]
    [InlineData(CompressionMethod.Gzip, true)]
    [InlineData(CompressionMethod.Zstd, false)]
    [InlineData(CompressionMethod.Zstd, true)]
    [InlineData(CompressionMethod.Lz4Raw, false)]
    [InlineData(CompressionMethod.LZ4, false)]
    public async Task Every_value_and_null_reads_as_parquet_net_reads_it(CompressionMethod method, bool dictionary)
    {
        string path = await Write(method, dictionary, [700, 1, 1299, 300]);
        var expected = await ReadThroughParquetNet(path);

        using var source = ParquetChunkSource.Open(path);
        var chunk = new RowChunk(path, source.ColumnNames);
        int row = 0;
        for (int g = 0; source.TryReadChunk(g, chunk); g++)
            for (int r = 0; r < chunk.RowCount; r++, row++)
            {
                Assert.Equal(row + 1, chunk.Line(r));
                for (int c = 0; c < Fields.Length; c++)
                    Assert.True(expected[row][c] == chunk.Field(r, c).ToString(), $"row {row}, column {Fields[c].Name}: '{chunk.Field(r, c)}', Parquet.Net '{expected[row][c]}'");
            }
        Assert.Equal(expected.Count, row);

        // The pages were read here for the codecs read here (not through Parquet.Net), dictionary-encoded when asked.
        await using var reader = await ParquetReader.CreateAsync(path);
        using var group = reader.OpenRowGroupReader(2);
        var word = group.GetMetadata(Word)!;
        Assert.Equal(method != CompressionMethod.LZ4, ColumnChunkPages.CanRead(word, PhysicalType.BYTE_ARRAY));
        Assert.Equal(dictionary, word.MetaData!.Encodings.Contains(Encoding.PLAIN_DICTIONARY) || word.MetaData.Encodings.Contains(Encoding.RLE_DICTIONARY));
        Assert.False(ColumnChunkPages.CanRead(word, PhysicalType.INT32));
    }

    [Fact]
    public void Several_pages_with_a_dictionary_versions_1_and_2_and_a_fall_back_to_plain_read_as_written()
    {
        // One column chunk, uncompressed, of a nullable string column: a dictionary page, a version-1 page of dictionary
        // indices (RLE levels, bit-packed indices), an index page, and a version-2 page of plain values (as writers
        // fall back when the dictionary grows too large), whose "a" is also in the dictionary.
        var bytes = new List<byte>();
        byte[] dictionary = [.. Plain("a"), .. Plain("ß"), .. Plain("")];
        bytes.AddRange(Header(PageKind.Dictionary, dictionary.Length, values: 3, encoding: PageHeader.Plain));
        bytes.AddRange(dictionary);
        // Rows: "a", null, "ß", "", "ß", "ß", "ß", "ß", "ß", "ß" (10 rows, 9 values): levels as an RLE run of 1, a bit-packed group of 8 (0 then seven 1s), a run of 1.
        byte[] levels = [0x02, 0x01, 0x03, 0b1111_1110, 0x02, 0x01];
        // Indices of width 2: a bit-packed group of 8 (0, 1, 2, 1 | 1, 1, 1, 1), then an RLE run of 1 more "ß" (index 1).
        byte[] indices = [2, 0x03, 0b01_10_01_00, 0b01_01_01_01, 0x02, 0x01];
        byte[] v1 = [.. BitConverter.GetBytes(levels.Length), .. levels, .. indices];
        bytes.AddRange(Header(PageKind.Data, v1.Length, values: 10, encoding: PageHeader.RleDictionary));
        int firstIndices = bytes.Count + 4 + levels.Length + 2;
        bytes.AddRange(v1);
        bytes.AddRange(Header(PageKind.Index, 0, values: 0, encoding: 0));
        // Version 2: rows "x", "a", null, "é" — levels 1,1,0,1 bit-packed (width 1), then plain values.
        byte[] v2Levels = [0x03, 0b0000_1011];
        byte[] v2Values = [.. Plain("x"), .. Plain("a"), .. Plain("é")];
        bytes.AddRange(Header(PageKind.DataV2, v2Levels.Length + v2Values.Length, values: 4, encoding: PageHeader.Plain, nulls: 1, definitionBytes: v2Levels.Length));
        bytes.AddRange(v2Levels);
        bytes.AddRange(v2Values);

        string path = PathOf("pages.bin");
        File.WriteAllBytes(path, [0xAA, 0xBB, .. bytes]);
        var chunk = new ColumnChunk
        {
            MetaData = new ColumnMetaData
            {
                Type = PhysicalType.BYTE_ARRAY, Codec = CompressionCodec.UNCOMPRESSED, Encodings = [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY],
                DataPageOffset = 2, TotalCompressedSize = bytes.Count, TotalUncompressedSize = bytes.Count, NumValues = 14,
            },
        };
        string damaged = PathOf("damaged.bin");
        bytes[firstIndices] = 0b01_11_01_00; // the third index 3, beyond the dictionary
        File.WriteAllBytes(damaged, [0xAA, 0xBB, .. bytes]);
        using var file = File.OpenHandle(path);
        var pages = new ColumnChunkPages(file, maxDefinitionLevel: 1);
        var values = new StringPageValues();
        Assert.True(pages.TryRead(chunk, 14, values));
        string[] texts = [.. values.Texts().ToArray().Select(t => t.ToString())];
        int[] rows = values.RowValues(14).ToArray();
        string[] read = [.. rows.Select(v => texts[v])];
        Assert.Equal(["a", "", "ß", "", "ß", "ß", "ß", "ß", "ß", "ß", "x", "a", "", "é"], read);
        Assert.Equal(rows[0], rows[11]);               // "a" from the dictionary and from a plain page: one distinct text
        Assert.Equal(rows[1], rows[12]);               // nulls share one (empty) text
        Assert.Equal(5, texts.Length);                 // a, ß, "", x, é

        // Fewer rows in the pages than the row group has, or a dictionary index beyond the dictionary, is refused.
        var e = Assert.Throws<InvalidDataException>(() => pages.TryRead(chunk, 15, values));
        Assert.Contains("ends after 14 of 15 values", e.Message);
        using var damagedFile = File.OpenHandle(damaged);
        var beyond = Assert.Throws<InvalidDataException>(() => new ColumnChunkPages(damagedFile, 1).TryRead(chunk, 14, values));
        Assert.Contains("dictionary index 3 of a dictionary of 3", beyond.Message);
    }

    [Theory]
    [InlineData(1_000_000, 0, "a dictionary of 1000000 values in 15 bytes")]
    [InlineData(3, 1 << 30, "a page of 1073741824 bytes uncompressed in a column chunk of")]
    public void A_page_header_claiming_more_than_the_chunk_holds_is_refused(int values, int uncompressed, string reason)
    {
        // A dictionary page whose header claims more values, or more bytes, than its column chunk can hold: refused before any buffer of that size.
        byte[] dictionary = [.. Plain("a"), .. Plain("ß"), .. Plain("")];
        byte[] bytes = [.. Header(PageKind.Dictionary, dictionary.Length, values, PageHeader.Plain, uncompressedSize: uncompressed > 0 ? uncompressed : null), .. dictionary];
        string path = PathOf("claims.bin");
        File.WriteAllBytes(path, bytes);
        var chunk = new ColumnChunk
        {
            MetaData = new ColumnMetaData
            {
                Type = PhysicalType.BYTE_ARRAY, Codec = CompressionCodec.UNCOMPRESSED, Encodings = [Encoding.PLAIN, Encoding.RLE], DataPageOffset = 0,
                TotalCompressedSize = bytes.Length, TotalUncompressedSize = bytes.Length,
            },
        };
        using var file = File.OpenHandle(path);
        var e = Assert.Throws<InvalidDataException>(() => new ColumnChunkPages(file, 0).TryRead(chunk, 3, new StringPageValues()));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_page_in_an_encoding_not_read_here_is_left_to_parquet_net()
    {
        // A data page of DELTA_LENGTH_BYTE_ARRAY values (encoding 6): TryRead says false without reading it.
        byte[] page = [1, 2, 3, 4];
        byte[] bytes = [.. Header(PageKind.Data, page.Length, values: 2, encoding: 6), .. page];
        string path = PathOf("delta.bin");
        File.WriteAllBytes(path, bytes);
        var chunk = new ColumnChunk
        {
            MetaData = new ColumnMetaData
            {
                Type = PhysicalType.BYTE_ARRAY, Codec = CompressionCodec.UNCOMPRESSED, Encodings = [Encoding.RLE], DataPageOffset = 0,
                TotalCompressedSize = bytes.Length, TotalUncompressedSize = bytes.Length,
            },
        };
        using var file = File.OpenHandle(path);
        Assert.False(new ColumnChunkPages(file, 0).TryRead(chunk, 2, new StringPageValues()));
        chunk.MetaData.Encodings = [Encoding.DELTA_LENGTH_BYTE_ARRAY];
        Assert.False(ColumnChunkPages.CanRead(chunk, PhysicalType.BYTE_ARRAY));
    }

    private static byte[] Plain(string text) => [.. BitConverter.GetBytes(Encoding8.GetByteCount(text)), .. Encoding8.GetBytes(text)];

    private static readonly System.Text.UTF8Encoding Encoding8 = new(false);

    // A page header in Thrift's compact protocol: type, sizes, and the kind's own header (values, encoding; v2: nulls, rows, level bytes, not compressed).
    private static byte[] Header(PageKind kind, int size, int values, int encoding, int nulls = 0, int definitionBytes = 0, int? uncompressedSize = null)
    {
        var b = new List<byte>();
        void Field(int delta, int type) => b.Add((byte)(delta << 4 | type));
        void Int(long value)
        {
            ulong z = (ulong)((value << 1) ^ (value >> 63));
            do { byte next = (byte)(z & 0x7F); z >>= 7; b.Add(z != 0 ? (byte)(next | 0x80) : next); } while (z != 0);
        }
        Field(1, 5); Int((int)kind);
        Field(1, 5); Int(uncompressedSize ?? size);
        Field(1, 5); Int(size);
        if (kind == PageKind.Index) { Field(3, 12); b.Add(0); }
        else if (kind == PageKind.Dictionary) { Field(4, 12); Field(1, 5); Int(values); Field(1, 5); Int(encoding); b.Add(0); }
        else if (kind == PageKind.Data) { Field(2, 12); Field(1, 5); Int(values); Field(1, 5); Int(encoding); Field(1, 5); Int(PageHeader.Rle); Field(1, 5); Int(PageHeader.Rle); b.Add(0); }
        else
        {
            Field(5, 12);
            Field(1, 5); Int(values); Field(1, 5); Int(nulls); Field(1, 5); Int(values); Field(1, 5); Int(encoding);
            Field(1, 5); Int(definitionBytes); Field(1, 5); Int(0); Field(1, 2); // is_compressed: false
            b.Add(0);
        }
        b.Add(0);
        return [.. b];
    }
}

using System.Text;

namespace Snr.Tests.DataWorkflows;

/// <summary>Issue 16, streaming: a CSV file read in chunks gives the rows, fields, lines and columns of the whole-file reader.</summary>
public sealed class StreamingReadTests() : TempFolderTests("snr-stream-read-")
{
    private string Write(string name, string text, bool byteOrderMark = false)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text, new UTF8Encoding(byteOrderMark));
        return path;
    }

    // Every record as the whole-file reader sees it: line, then (field, column) pairs.
    private static List<(long Line, (string Text, int Column)[] Fields)> WholeFile(string path, CsvOptions options)
    {
        using var reader = new CsvReader(path, options);
        var records = new List<(long, (string, int)[])>();
        if (options.HasHeader) reader.Read();
        while (reader.Read())
            records.Add((reader.Line, [.. Enumerable.Range(0, reader.FieldCount).Select(i => (reader.Field(i).ToString(), reader.FieldColumn(i)))]));
        return records;
    }

    private static List<(long Line, (string Text, int Column)[] Fields)> Rows(RowChunk chunk) =>
        [.. Enumerable.Range(0, chunk.RowCount).Select(r => (chunk.Line(r), Enumerable.Range(0, chunk.ColumnCount).Select(c => (chunk.Field(r, c).ToString(), chunk.Position(r, c))).ToArray()))];

    private static void AssertSameRecords(List<(long Line, (string Text, int Column)[] Fields)> expected, List<(long Line, (string Text, int Column)[] Fields)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Line, actual[i].Line);
            Assert.Equal(expected[i].Fields, actual[i].Fields);
        }
    }

    // A file with the awkward cases: quoted delimiters, doubled quotes, quoted line breaks (\n and \r\n), CRLF and lone-CR
    // line ends, blank lines, spaces to trim, a trailing delimiter, multi-byte text (also quoted, across a quoted line break and
    // in the ignored text after a closing quote); long enough to cross the 1 MB reading blocks.
    private string AwkwardFile(int rows, out string header)
    {
        var random = new Random(7);
        string[] words = ["plain", " spaced ", "\"quoted, with comma\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"crlf\r\ninside\"", "café", "日本語", "😀x", "", "?", "  \"lead\" ", "1.5e3", "-7",
            "\"naïve \"\"ü\"\"\"", "\"q\" é", "\"日\r\n本\"", " ß "];
        string[] ends = ["\n", "\r\n", "\n", "\r", "\n\n", "\r\n\r\n"];
        var text = new StringBuilder();
        header = "a,b,c,d";
        text.Append(header).Append('\n');
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                if (c > 0) text.Append(',');
                text.Append(words[random.Next(words.Length)]);
            }
            if (r < rows - 1) text.Append(ends[random.Next(ends.Length)]);
        }
        return Write("awkward.csv", text.ToString(), byteOrderMark: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(CsvChunkSource.DefaultChunkRows)]
    public void Chunks_in_file_order_equal_the_whole_file_reader(int chunkRows)
    {
        string path = AwkwardFile(chunkRows == 1 ? 3000 : 60_000, out _);
        var options = CsvOptions.Default;
        var expected = WholeFile(path, options);
        using var source = new CsvChunkSource(path, options, chunkRows);
        Assert.Equal(["a", "b", "c", "d"], source.ColumnNames);
        var chunk = new RowChunk(path, source.ColumnNames);
        var actual = new List<(long, (string, int)[])>();
        int index = 0;
        while (source.TryReadChunk(index, chunk))
        {
            Assert.Equal(index, chunk.Index);
            Assert.True(chunk.RowCount <= chunkRows);
            actual.AddRange(Rows(chunk));
            index++;
        }
        Assert.Equal(index, source.ChunkCount);
        Assert.Equal((expected.Count + chunkRows - 1) / chunkRows, index);
        AssertSameRecords(expected, actual);
    }

    [Fact]
    public void A_chunk_of_another_width_or_a_negative_index_is_refused_naming_both()
    {
        string path = AwkwardFile(100, out _);
        using var source = new CsvChunkSource(path, CsvOptions.Default, 10);
        var narrow = new RowChunk(path, ["a", "b"]);
        var error = Assert.Throws<ArgumentException>(() => source.TryReadChunk(0, narrow));
        Assert.Contains($"The chunk has 2 columns; {path} has 4.", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.TryReadChunk(-1, new RowChunk(path, source.ColumnNames)));
    }

    [Fact]
    public void Chunks_read_in_a_shuffled_order_and_again_hold_the_same_rows()
    {
        string path = AwkwardFile(20_000, out _);
        var expected = WholeFile(path, CsvOptions.Default);
        const int chunkRows = 777;
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows);
        // ChunkCount before any read finds the boundaries; then chunks come back in any order.
        int count = source.ChunkCount;
        Assert.Equal((expected.Count + chunkRows - 1) / chunkRows, count);
        var chunk = new RowChunk(path, source.ColumnNames);
        var order = Enumerable.Range(0, count).OrderBy(i => (i * 7919) % count).ToArray();
        foreach (int i in order.Concat(order.Reverse()))
        {
            Assert.True(source.TryReadChunk(i, chunk));
            AssertSameRecords(expected.Skip(i * chunkRows).Take(chunkRows).ToList(), Rows(chunk));
        }
        Assert.False(source.TryReadChunk(count, chunk));
        Assert.Equal(0, chunk.RowCount);
    }

    [Fact]
    public void A_chunk_far_ahead_is_found_without_a_pass_in_order()
    {
        string path = AwkwardFile(5000, out _);
        var expected = WholeFile(path, CsvOptions.Default);
        using var source = new CsvChunkSource(path, CsvOptions.Default, 100);
        var chunk = new RowChunk(path, source.ColumnNames);
        Assert.True(source.TryReadChunk(42, chunk));
        AssertSameRecords(expected.Skip(4200).Take(100).ToList(), Rows(chunk));
        Assert.False(source.TryReadChunk(1000, chunk));
        Assert.Equal(50, source.ChunkCount);
    }

    [Fact]
    public void Other_layouts_read_as_the_whole_file_reader_reads_them()
    {
        // Semicolons, untrimmed fields, no header (names given), a quoted field open across the last line break.
        string path = Write("semi.csv", "1; x ;\"a;b\"\n\n2;y;\"multi\nline\"\r\n3; z ;\n");
        var options = new CsvOptions(';', HasHeader: false, TrimFields: false);
        using var source = new CsvChunkSource(path, options, 2, ["n", "s", "q"]);
        var chunk = new RowChunk(path, source.ColumnNames);
        var actual = new List<(long, (string, int)[])>();
        for (int i = 0; source.TryReadChunk(i, chunk); i++) actual.AddRange(Rows(chunk));
        AssertSameRecords(WholeFile(path, options), actual);
        Assert.Equal(" x ", actual[0].Item2[1].Item1);
    }

    [Fact]
    public void Malformed_files_are_refused_with_their_place()
    {
        // Too few fields on line 4 (blank line 3 counts): the message has the line.
        string fields = Write("fields.csv", "a,b\n1,2\n\n3\n");
        using (var source = new CsvChunkSource(fields, CsvOptions.Default))
        {
            var e = Assert.Throws<CsvFormatException>(() => source.TryReadChunk(0, new RowChunk(fields, source.ColumnNames)));
            Assert.Equal((4L, 0), (e.Line, e.Column));
            Assert.Contains("expected 2 fields but found 1", e.Message);
        }
        string unclosed = Write("unclosed.csv", "a,b\n1,2\n3,\"open\n4,5\n");
        using (var source = new CsvChunkSource(unclosed, CsvOptions.Default))
        {
            var e = Assert.Throws<CsvFormatException>(() => source.TryReadChunk(0, new RowChunk(unclosed, source.ColumnNames)));
            Assert.Equal($"{unclosed}:3:3: a quoted field is not closed before the end of the file", e.Message);
        }
        string invalid = PathOf("latin1.csv");
        File.WriteAllBytes(invalid, [.. "a,b\n1,2\n3,"u8, 0xE9, (byte)'\n']);
        using (var source = new CsvChunkSource(invalid, CsvOptions.Default))
        {
            var e = Assert.Throws<CsvFormatException>(() => source.TryReadChunk(0, new RowChunk(invalid, source.ColumnNames)));
            Assert.Equal((3L, "the text is not valid UTF-8"), (e.Line, e.Reason));
        }
        Assert.Contains("the delimiter is probably ';'", Assert.Throws<CsvFormatException>(() => new CsvChunkSource(Write("semi.csv", "a;b\n1;2\n"), CsvOptions.Default)).Message);
        Assert.Contains("empty", Assert.Throws<CsvFormatException>(() => new CsvChunkSource(Write("empty.csv", ""), CsvOptions.Default)).Message);
        Assert.Contains("decompress", Assert.Throws<CsvFormatException>(() => new CsvChunkSource(Write("x.csv.gz", "a\n"), CsvOptions.Default)).Message);
    }

    // Every record as the byte splitter gives it, reading the file `blockBytes` at a time.
    private static List<(long Line, (string Text, int Column)[] Fields)> Split(string path, CsvOptions options, int blockBytes)
    {
        using var stream = File.OpenRead(path);
        var splitter = new CsvByteSplitter(stream, path, options, blockBytes);
        var sink = new ListSink([]);
        var records = new List<(long, (string, int)[])>();
        if (options.HasHeader) Assert.True(splitter.Next(ref sink, out _));
        sink.Fields.Clear();
        while (splitter.Next(ref sink, out long line))
        {
            records.Add((line, [.. sink.Fields]));
            sink.Fields.Clear();
        }
        return records;
    }

    private readonly struct ListSink(List<(string Text, int Column)> fields) : CsvByteSplitter.IFieldSink
    {
        public List<(string Text, int Column)> Fields => fields;

        public void Add(ReadOnlySpan<char> text, int column) => fields.Add((text.ToString(), column));

        public void Discard() => fields.Clear();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(4099)]
    public void Every_block_boundary_splits_as_the_whole_file_reader(int blockBytes)
    {
        // Small blocks put a block boundary inside every kind of text somewhere in the file: a multi-byte character,
        // a quoted line break, a CRLF, a doubled quote, the byte order mark.
        string path = AwkwardFile(3000, out _);
        AssertSameRecords(WholeFile(path, CsvOptions.Default), Split(path, CsvOptions.Default, blockBytes));
        var untrimmed = new CsvOptions(';', HasHeader: false, TrimFields: false);
        AssertSameRecords(WholeFile(path, untrimmed), Split(path, untrimmed, blockBytes));
    }

    [Fact]
    public void Invalid_text_is_refused_on_its_own_line_wherever_it_is()
    {
        // In a quoted field, two lines after the record starts; in the ignored text after a closing quote; after valid multi-byte text.
        (byte[] Text, long Line)[] cases =
        [
            ([.. "a,b\n1,\"x\n\ny"u8, 0xE9, .. "\"\n"u8], 4),
            ([.. "a,b\n1,2\r\n3,\"q\" "u8, 0xFF, .. "\n4,5\n"u8], 3),
            ([.. "a,b\n\u00e9,\u65e5\n3,"u8, 0xE6, 0x97, .. "\n"u8], 3),
        ];
        foreach (var (text, line) in cases)
        {
            string path = PathOf("invalid.csv");
            File.WriteAllBytes(path, text);
            foreach (int block in new[] { 1, 7, 1 << 20 })
            {
                var e = Assert.Throws<CsvFormatException>(() => Split(path, CsvOptions.Default, block));
                Assert.Equal((line, "the text is not valid UTF-8"), (e.Line, e.Reason));
            }
        }
    }

    [Fact]
    public void A_delimiter_outside_ascii_is_refused_for_chunked_reading()
    {
        string path = Write("section.csv", "a§b\n1§2\n");
        var e = Assert.Throws<ArgumentException>(() => new CsvChunkSource(path, new CsvOptions('§')));
        Assert.Contains("'§' is not", e.Message);
    }

    [Fact]
    public void The_fast_number_parser_gives_the_general_parsers_floats()
    {
        var random = new Random(11);
        var texts = new List<string> { "0", "-0.0", "+3", "1.", ".5", "-.25", "16777215", "16777216", "1677721.9", "0.0000000001", "0.00000000001", "1e5", "12x", "", "-", ".", "1.2.3", " 4", "99999999999", "3.4e39" };
        for (int i = 0; i < 20_000; i++)
        {
            double x = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 9));
            texts.Add(x.ToString("F" + random.Next(0, 11), System.Globalization.CultureInfo.InvariantCulture));
            texts.Add(((float)x).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (string text in texts)
        {
            bool expected = TabularSchema.TryParseNumber(text, out float value);
            Assert.Equal(expected, FastNumber.TryParse(text, out float fast));
            if (expected) Assert.True(BitConverter.SingleToInt32Bits(value) == BitConverter.SingleToInt32Bits(fast), $"'{text}': {value} vs {fast}");
        }
    }
}

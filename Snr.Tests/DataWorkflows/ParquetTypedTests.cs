using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using Snr.Data.Parquet;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, typed Parquet chunks: numbers read without their text equal the parsed texts to the
/// bit; a Parquet file and the same rows as CSV give the same row hashes, split, statistics and
/// encoded rows; the roles of the fitting pass serve the later passes; a damaged page is refused
/// with its file and row group, before training and during it (the last epoch kept).
/// </summary>
public sealed class ParquetTypedTests() : TempFolderTests("snr-parquet-typed-")
{
    // What the text path gives for a field: missing, a number (its bits) or not a number.
    private static (NumberRead, int) Parsed(ReadOnlySpan<char> text) =>
        TabularSchema.IsMissing(text) ? (NumberRead.Missing, 0)
        : FastNumber.TryParse(text, out float value) ? (NumberRead.Number, BitConverter.SingleToInt32Bits(value)) : (NumberRead.NotANumber, 0);

    private static void AssertTypedEqualsParsed(RowChunk chunk, int column)
    {
        for (int r = 0; r < chunk.RowCount; r++)
        {
            var read = chunk.ReadNumber(r, column, out float value);
            var expected = Parsed(chunk.Field(r, column));
            Assert.True(expected == (read, read == NumberRead.Number ? BitConverter.SingleToInt32Bits(value) : 0),
                $"row {r}: '{chunk.Field(r, column)}' parses to {expected}, read typed as {read} {value:R}");
        }
    }

    [Fact]
    public void Typed_numbers_read_exactly_as_their_texts_parse()
    {
        var random = new Random(1);
        // Doubles that are exact ties between two floats (1 + 2^-24 rounds to even, its shortest text rounds up), their
        // neighbours, subnormal and out-of-range floats, NaN and infinities, -0, short decimals and random bits.
        double tie = 1 + Math.Pow(2, -24);
        List<double> doubles = [tie, Math.BitIncrement(tie), Math.BitDecrement(tie), -tie, 3 * Math.Pow(2, -25) * 1024, 1e-40, -1e-45, 1e39, -3.5e38,
            3.4028235677973366e38, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0, 0.1, 1.0 / 3, 123.45, 16777217, 1e15, 1e-7];
        for (int i = 0; i < 20_000; i++)
        {
            doubles.Add(Math.Round((random.NextDouble() - 0.5) * 2000, random.Next(6)));
            doubles.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
            // A random float tie: a float's bits widened, plus half a float step.
            double f = random.NextSingle() * 100;
            doubles.Add(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(f) | (1L << 28)));
        }
        var missing = doubles.Select((_, i) => i % 17 == 5).ToArray();
        var chunk = new RowChunk("typed", ["double", "float", "long", "decimal"]);
        chunk.BeginRead(new NoSource(4), 0);
        chunk.BeginColumns(doubles.Count, firstRow: 1);
        chunk.SetNumbers<double>(0, [.. doubles], missing, "R");
        chunk.SetNumbers<float>(1, [.. doubles.Select(d => (float)d)], [], "R");
        chunk.SetNumbers<long>(2, [.. doubles.Select((d, i) => i % 3 == 0 ? random.NextInt64() : (long)Math.Clamp(d, -1e6, 1e6))], []);
        chunk.SetNumbers<decimal>(3, [.. doubles.Select(d => double.IsFinite(d) ? (decimal)Math.Clamp(Math.Round(d, 3), -1e9, 1e9) / 7 : 0m)], []);
        for (int c = 0; c < 4; c++) AssertTypedEqualsParsed(chunk, c);
        Assert.Equal("", chunk.Field(5, 0).ToString());
        Assert.Equal(NumberRead.Missing, chunk.ReadNumber(5, 0, out _));
        Assert.Equal((0.1).ToString("R", CultureInfo.InvariantCulture), chunk.Field(15, 0).ToString());
        Assert.Equal(NumberRead.NotANumber, chunk.ReadNumber(10, 0, out _));
        Assert.Equal((3, 4, 7L), (chunk.Position(6, 2), chunk.Position(0, 3), chunk.Line(6)));
    }

    [Fact]
    public void A_chunk_is_filled_either_by_rows_or_by_columns_and_every_column_must_be_set()
    {
        var chunk = new RowChunk("f", ["a", "b"]);
        chunk.BeginColumns(2, firstRow: 10);
        chunk.SetTexts(0, ["x".AsMemory(), "".AsMemory()], [1, 0]);
        Assert.Throws<InvalidOperationException>(() => chunk.Field(0, 1)); // column b not set
        Assert.Throws<InvalidOperationException>(() => chunk.AddField("x", 1));
        Assert.Throws<ArgumentException>(() => chunk.SetNumbers<int>(1, [1, 2, 3], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.SetTexts(1, ["x".AsMemory()], [0, 1]));
        chunk.SetNumbers<int>(1, [4, 5], [true, false]);
        Assert.Equal(("", "x", "", "5", 11L), (chunk.Field(0, 0).ToString(), chunk.Field(1, 0).ToString(), chunk.Field(0, 1).ToString(), chunk.Field(1, 1).ToString(), chunk.Line(1)));
        Assert.Equal("f:11:2: column 'b': bad", chunk.Error(1, 1, "bad").Message);
        chunk.Clear(1);
        Assert.Throws<InvalidOperationException>(() => chunk.SetTexts(0, [], []));
        chunk.AddField("row", 1);
        chunk.AddField("mode", 7);
        chunk.EndRow(3);
        Assert.Equal(("mode", 7), (chunk.Field(0, 1).ToString(), chunk.Position(0, 1)));
        Assert.Throws<InvalidOperationException>(() => chunk.BeginColumns(1, 1));
    }

    private sealed class NoSource(int columns) : IRowChunkSource
    {
        public string Name => "typed";
        public IReadOnlyList<string> ColumnNames { get; } = [.. Enumerable.Range(0, columns).Select(c => $"c{c}")];
        public IReadOnlyDictionary<string, ColumnKind> ImpliedKinds { get; } = new Dictionary<string, ColumnKind>();
        public int ChunkCount => 0;
        public bool TryReadChunk(int index, RowChunk destination) => false;
        public void Dispose() { }
    }

    private static readonly TaskSpec[] Tasks = [new("click", "click", TaskKind.Binary, ["1"]), new("spend", "spend", TaskKind.Regression)];

    private static TabularSchema Schema => new(
        [new("id", ColumnKind.Ignored), new("click", ColumnKind.Categorical), new("spend", ColumnKind.Numeric), new("amount", ColumnKind.Numeric),
         new("ratio", ColumnKind.Numeric), new("count", ColumnKind.Numeric), new("city", ColumnKind.Categorical), new("code", ColumnKind.Categorical),
         new("member", ColumnKind.Categorical)],
        Tasks);

    // The same rows as Parquet (row groups of the given sizes) and as CSV, each value written as the Parquet reader reads it:
    // an int label, a nullable double label, a nullable float, a double, a long, a nullable dictionary-encoded string, a
    // plain-encoded string (every value distinct), a nullable bool; and an ignored string id.
    private async Task<(string Csv, string Parquet)> WriteBoth(string name, int[] groupSizes, int seed)
    {
        var random = new Random(seed);
        var id = new DataField<string>("id");
        var click = new DataField<int>("click");
        var spend = new DataField<double?>("spend");
        var amount = new DataField<float?>("amount");
        var ratio = new DataField<double>("ratio");
        var count = new DataField<long>("count");
        var city = new DataField<string>("city", true);
        var code = new DataField<string>("code");
        var member = new DataField<bool?>("member");
        var csv = new StringBuilder("id,click,spend,amount,ratio,count,city,code,member\n");
        string parquet = PathOf(name + ".parquet");
        await using (var stream = File.Create(parquet))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, click, spend, amount, ratio, count, city, code, member), stream);
            int row = 0;
            foreach (int size in groupSizes)
            {
                var ids = new string[size];
                var clicks = new int[size];
                var spends = new double?[size];
                var amounts = new float?[size];
                var ratios = new double[size];
                var counts = new long[size];
                var cities = new string?[size];
                var codes = new string[size];
                var members = new bool?[size];
                for (int i = 0; i < size; i++, row++)
                {
                    ids[i] = $"r{row}";
                    clicks[i] = random.Next(2);
                    spends[i] = row % 9 == 4 ? null : Math.Round(random.NextDouble() * 50, 3);
                    amounts[i] = row % 7 == 0 ? null : (float)(random.NextDouble() * 8 - 4);
                    ratios[i] = row % 5 == 0 ? 1e6 + random.NextDouble() : 1.0 / (row + 1);
                    counts[i] = random.Next(1000) - 500;
                    cities[i] = row % 6 == 0 ? null : $"city{(int)(40 * Math.Pow(random.NextDouble(), 2))}";
                    codes[i] = $"k{row * 7919 % 100_003}";
                    members[i] = row % 4 == 3 ? null : random.Next(2) == 1;
                    csv.Append(CultureInfo.InvariantCulture,
                        $"{ids[i]},{clicks[i]},{spends[i]?.ToString("R", CultureInfo.InvariantCulture)},{amounts[i]?.ToString("R", CultureInfo.InvariantCulture)},{ratios[i]:R},{counts[i]},{cities[i]},{codes[i]},{(members[i] is { } m ? m ? "true" : "false" : "")}\n");
                }
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(id, ids);
                await group.WriteAsync<int>(click, clicks.AsMemory());
                await group.WriteAsync<double>(spend, spends.AsMemory());
                await group.WriteAsync<float>(amount, amounts.AsMemory());
                await group.WriteAsync<double>(ratio, ratios.AsMemory());
                await group.WriteAsync<long>(count, counts.AsMemory());
                await group.WriteAsync(city, cities);
                await group.WriteAsync(code, codes);
                await group.WriteAsync<bool>(member, members.AsMemory());
            }
        }
        File.WriteAllText(PathOf(name + ".csv"), csv.ToString());
        return (PathOf(name + ".csv"), parquet);
    }

    // Every row of the source encoded by the encoder, by role, in file order: (numeric, categorical, labels) per row.
    private static List<float[]>[] EncodeAll(IRowChunkSource source, ChunkEncoder encoder)
    {
        var chunk = new RowChunk(source.Name, source.ColumnNames);
        EncodedRows[] blocks = [encoder.NewBlock(), encoder.NewBlock(), encoder.NewBlock()];
        var rows = new List<float[]>[] { [], [], [] };
        for (int c = 0; source.TryReadChunk(c, chunk); c++)
        {
            foreach (var block in blocks) block.Clear();
            encoder.Encode(chunk, blocks[0], blocks[1], blocks[2]);
            for (int role = 0; role < 3; role++)
                for (int r = 0; r < blocks[role].Count; r++)
                    rows[role].Add([.. blocks[role].Numeric(r), .. blocks[role].Categorical(r).ToArray().Select(v => (float)v), .. blocks[role].Labels(r)]);
        }
        return rows;
    }

    [Fact]
    public async Task Parquet_and_the_same_rows_as_csv_give_the_same_hashes_split_statistics_and_encoded_rows()
    {
        var (csv, parquet) = await WriteBoth("data", [1500, 1, 2499], seed: 3);
        var split = new HashSplit(Seed: 11, Train: 0.7, Validation: 0.15);
        using var csvSource = new CsvChunkSource(csv, CsvOptions.Default, chunkRows: 600);
        using var parquetSource = ParquetChunkSource.Open(parquet);
        var fromCsv = StreamingFit.Run(csvSource, Schema, split);
        var fromParquet = StreamingFit.Run(parquetSource, Schema, split);

        Assert.Equal((fromCsv.TrainRows, fromCsv.ValidationRows, fromCsv.TestRows), (fromParquet.TrainRows, fromParquet.ValidationRows, fromParquet.TestRows));
        Assert.Equal(fromCsv.Encoder.Preprocessing.TrainingData, fromParquet.Encoder.Preprocessing.TrainingData);
        Assert.Equal(fromCsv.Encoder.Preprocessing.Numeric, fromParquet.Encoder.Preprocessing.Numeric);
        Assert.Equal(fromCsv.Encoder.Preprocessing.Categorical.Select(v => v.Levels), fromParquet.Encoder.Preprocessing.Categorical.Select(v => v.Levels));

        // Every row in the same part, encoded to the same values (through each file's own fitted encoder and roles).
        var csvRows = EncodeAll(csvSource, fromCsv.NewChunkEncoder(csvSource));
        var parquetRows = EncodeAll(parquetSource, fromParquet.NewChunkEncoder(parquetSource));
        for (int role = 0; role < 3; role++)
        {
            Assert.NotEmpty(csvRows[role]);
            Assert.Equal(csvRows[role].Count, parquetRows[role].Count);
            for (int r = 0; r < csvRows[role].Count; r++) Assert.Equal(csvRows[role][r], parquetRows[role][r]);
        }
        // And the parts are those the split gives each row's hash afresh.
        var fresh = new ChunkEncoder(fromParquet.Encoder, parquet, parquetSource.ColumnNames, split);
        var chunk = new RowChunk(parquet, parquetSource.ColumnNames);
        var hashed = new int[3];
        for (int c = 0; parquetSource.TryReadChunk(c, chunk); c++)
            for (int r = 0; r < chunk.RowCount; r++) hashed[(int)fresh.RoleOf(chunk, r)]++;
        Assert.Equal(parquetRows.Select(part => part.Count), hashed);
    }

    [Fact]
    public void The_fitting_pass_hands_its_roles_to_the_later_passes()
    {
        // Two files with the same row counts but other contents: an encoder made from the fit over the first places the
        // second file's rows by the first file's roles (it does not hash them), a fresh encoder by their own hashes.
        string first = PathOf("first.csv"), second = PathOf("second.csv");
        var random = new Random(5);
        var a = new StringBuilder("x,city,click\n");
        var b = new StringBuilder("x,city,click\n");
        for (int i = 0; i < 2000; i++)
        {
            string city = $"c{random.Next(30)}", label = random.Next(2).ToString(CultureInfo.InvariantCulture);
            a.Append(CultureInfo.InvariantCulture, $"{i},{city},{label}\n");
            b.Append(CultureInfo.InvariantCulture, $"{i + 0.5},{city},{label}\n");
        }
        File.WriteAllText(first, a.ToString());
        File.WriteAllText(second, b.ToString());
        var schema = new TabularSchema([new("x", ColumnKind.Numeric), new("city", ColumnKind.Categorical), new("click", ColumnKind.Categorical)], [Tasks[0]]);
        var split = new HashSplit(Seed: 2, Train: 0.5, Validation: 0.25);
        using var firstSource = new CsvChunkSource(first, CsvOptions.Default, chunkRows: 300);
        using var secondSource = new CsvChunkSource(second, CsvOptions.Default, chunkRows: 300);
        var fit = StreamingFit.Run(firstSource, schema, split);

        var byFirstRoles = EncodeAll(secondSource, fit.NewChunkEncoder(secondSource));
        var byOwnHashes = EncodeAll(secondSource, new ChunkEncoder(fit.Encoder, second, secondSource.ColumnNames, split));
        var firstByHash = EncodeAll(firstSource, new ChunkEncoder(fit.Encoder, first, firstSource.ColumnNames, split));
        var firstByRoles = EncodeAll(firstSource, fit.NewChunkEncoder(firstSource));
        // x is the first numeric input: its row number (plus 0.5 in the second file), normalised; compare the row numbers.
        var stats = fit.Encoder.Preprocessing.Numeric[0];
        int[] RowsOf(List<float[]> part, double offset) => [.. part.Select(r => (int)Math.Round(r[0] * stats.Std + stats.Mean - offset))];
        for (int role = 0; role < 3; role++)
        {
            Assert.Equal(RowsOf(firstByHash[role], 0), RowsOf(byFirstRoles[role], 0.5));
            Assert.Equal(RowsOf(firstByHash[role], 0), RowsOf(firstByRoles[role], 0));
        }
        Assert.Equal([fit.TrainRows, fit.ValidationRows, fit.TestRows], firstByRoles.Select(part => (long)part.Count));
        Assert.NotEqual(RowsOf(byOwnHashes[0], 0.5), RowsOf(byFirstRoles[0], 0.5));
    }

    // Overwrites the pages of column `column` in row group `group` (header and data) with a byte pattern, in place.
    private static void DamageColumnChunk(string path, int group, string column)
    {
        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        long offset, length;
        using (var rowGroup = reader.OpenRowGroupReader(group))
        {
            var meta = rowGroup.GetMetadata(reader.Schema.GetDataFields().Single(f => f.Name == column))!.MetaData!;
            offset = meta.DictionaryPageOffset is long dictionary and > 0 ? Math.Min(dictionary, meta.DataPageOffset) : meta.DataPageOffset;
            length = meta.TotalCompressedSize;
        }
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = offset;
        file.Write([.. Enumerable.Range(0, (int)length).Select(i => (byte)(0xF7 ^ i))]);
    }

    [Theory]
    [InlineData("ratio", 5)]   // a double, read from its pages
    [InlineData("count", 6)]   // a long
    [InlineData("city", 7)]    // a nullable string, dictionary-encoded
    [InlineData("code", 8)]    // a string, plain-encoded
    [InlineData("member", 9)]  // a nullable bool, read through Parquet.Net
    public async Task A_damaged_page_mid_file_is_refused_with_the_file_and_row_group(string column, int position)
    {
        var (_, parquet) = await WriteBoth("damaged", [1000, 1000, 1000, 1000], seed: 4);
        DamageColumnChunk(parquet, group: 2, column);

        using var source = ParquetChunkSource.Open(parquet);
        var chunk = new RowChunk(parquet, source.ColumnNames);
        Assert.True(source.TryReadChunk(1, chunk));
        Assert.True(source.TryReadChunk(3, chunk));
        var read = Assert.Throws<CsvFormatException>(() => source.TryReadChunk(2, chunk));
        Assert.Equal((parquet, 2001L, position), (read.File, read.Line, read.Column));
        Assert.StartsWith($"{parquet}:2001:{position}: column '{column}' of row group 3 of 4 cannot be read (", read.Message);
        Assert.Equal(0, chunk.RowCount);

        // The fitting pass refuses the file before any training.
        var fit = Assert.Throws<CsvFormatException>(() => StreamingFit.Run(source, Schema, new HashSplit(1, 0.8, 0.1)));
        Assert.Equal(read.Message, fit.Message);
    }

    [Fact]
    public async Task A_page_damaged_during_training_stops_it_keeping_the_last_completed_epoch()
    {
        var (_, parquet) = await WriteBoth("training", [800, 800, 800], seed: 6);
        using var source = ParquetChunkSource.Open(parquet);
        var fit = StreamingFit.Run(source, Schema, split: null);
        var model = NewModel(fit.Encoder);
        var oneEpoch = NewModel(fit.Encoder);
        new Trainer(oneEpoch, Config(epochs: 1)).Fit(new StreamingRows(source, fit, 500), validation: (IEvaluationRows?)null);

        // After epoch 1, the third row group's 'spend' pages are damaged in place.
        var e = Assert.Throws<TrainingDataException>(() => new Trainer(model, Config(epochs: 3)).Fit(new StreamingRows(source, fit, 500), validation: (IEvaluationRows?)null, epoch =>
        {
            if (epoch.Epoch == 1) DamageColumnChunk(parquet, group: 2, "spend");
        }));
        var place = Assert.IsType<CsvFormatException>(e.InnerException);
        Assert.Equal((parquet, 1601L, 3), (place.File, place.Line, place.Column));
        Assert.Contains("column 'spend' of row group 3 of 3 cannot be read", place.Message);
        Assert.Single(e.History.Epochs);
        Assert.Equal(Weights(oneEpoch), Weights(model));
    }

    private static MultiTaskModel NewModel(TabularEncoder encoder) =>
        ModelFactory.Create(DefaultModels.Create("mmoe", encoder.NumericCount, encoder.EmbeddingConfig(), [.. Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], seed: 4));

    private static TrainingConfig Config(int epochs) => new() { Epochs = epochs, BatchSize = 128, Seed = 5, ValidationFraction = 0 };

    private static float[][] Weights(MultiTaskModel model) => [.. model.Parameters().Select(p => p.Tensor.Data.ToArray())];
}

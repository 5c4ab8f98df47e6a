using System.Globalization;
using Parquet;
using Parquet.Schema;
using Snr.Data.Parquet;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, Parquet streamed: a Parquet file read one row group at a time gives the rows, texts
/// and positions of the whole file, the streaming fit over it equals the fit over the same data as
/// CSV, and its errors name the file, row and column.
/// </summary>
public sealed class ParquetChunkTests() : TempFolderTests("snr-parquet-chunk-")
{
    // Rows of mixed types in row groups of the given sizes: an int label, a nullable float, a
    // double, a nullable string, a bool. Returns the texts each row should read as, by column.
    private async Task<(string Path, List<string[]> Expected)> WriteMixed(string name, int[] groupSizes)
    {
        var label = new DataField<int>("label");
        var amount = new DataField<float?>("amount");
        var ratio = new DataField<double>("ratio");
        var city = new DataField<string>("city", true);
        var member = new DataField<bool>("member");
        var expected = new List<string[]>();
        await using (var stream = File.Create(PathOf(name)))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(label, amount, ratio, city, member), stream);
            int row = 0;
            foreach (int size in groupSizes)
            {
                var labels = new int[size];
                var amounts = new float?[size];
                var ratios = new double[size];
                var cities = new string?[size];
                var members = new bool[size];
                for (int i = 0; i < size; i++, row++)
                {
                    labels[i] = row % 3 == 0 ? 1 : 0;
                    amounts[i] = row % 7 == 0 ? null : row * 0.1f - 3;
                    ratios[i] = 1.0 / (row + 1);
                    cities[i] = row % 5 == 0 ? null : $"city{row % 11}";
                    members[i] = row % 2 == 0;
                    expected.Add([labels[i].ToString(CultureInfo.InvariantCulture), amounts[i]?.ToString("R", CultureInfo.InvariantCulture) ?? "",
                        ratios[i].ToString("R", CultureInfo.InvariantCulture), cities[i] ?? "", members[i] ? "true" : "false"]);
                }
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<int>(label, labels.AsMemory());
                await group.WriteAsync<float>(amount, amounts.AsMemory());
                await group.WriteAsync<double>(ratio, ratios.AsMemory());
                await group.WriteAsync(city, cities);
                await group.WriteAsync<bool>(member, members.AsMemory());
            }
        }
        return (PathOf(name), expected);
    }

    [Fact]
    public async Task Reading_row_group_by_row_group_in_any_order_equals_reading_the_whole_file()
    {
        var (path, expected) = await WriteMixed("mixed.parquet", [700, 1, 1299, 500]);
        using var source = ParquetChunkSource.Open(path);
        Assert.Equal(["label", "amount", "ratio", "city", "member"], source.ColumnNames);
        Assert.Equal(4, source.ChunkCount);
        Assert.Equal(2500, source.RowCount);
        Assert.Equal(ColumnKind.Numeric, source.ImpliedKinds["amount"]);
        Assert.Equal(ColumnKind.Categorical, source.ImpliedKinds["city"]);
        Assert.Equal(ColumnKind.Categorical, source.ImpliedKinds["member"]);

        var chunk = new RowChunk(path, source.ColumnNames);
        int[] firstRows = [0, 700, 701, 2000];
        foreach (int g in new[] { 2, 0, 3, 1, 2 })
        {
            Assert.True(source.TryReadChunk(g, chunk));
            Assert.Equal(g, chunk.Index);
            Assert.Equal(g == 3 ? 500 : g == 2 ? 1299 : g == 1 ? 1 : 700, chunk.RowCount);
            for (int r = 0; r < chunk.RowCount; r++)
            {
                int row = firstRows[g] + r;
                Assert.Equal(row + 1, chunk.Line(r));
                for (int c = 0; c < 5; c++)
                {
                    Assert.Equal(expected[row][c], chunk.Field(r, c).ToString());
                    Assert.Equal(c + 1, chunk.Position(r, c));
                }
            }
        }
        Assert.False(source.TryReadChunk(4, chunk));
        Assert.Equal(0, chunk.RowCount);

        // The whole-file reader gives the same texts in file order.
        var (table, _) = ParquetTable.Load(path);
        Assert.Equal(2500, table.RowCount);
        for (int row = 0; row < table.RowCount; row += 7)
            for (int c = 0; c < 5; c++) Assert.Equal(expected[row][c], table.Value(row, c));
    }

    [Fact]
    public async Task The_streaming_fit_over_parquet_equals_the_fit_over_the_same_rows_as_csv()
    {
        var rows = AdultLikeCsv.Rows(3000);
        string csv = AdultLikeCsv.Write(PathOf("adult.csv"), rows);
        // The same rows as Parquet in row groups of 1,000: age and hours int32, the rest strings.
        var fields = AdultLikeCsv.Header.Split(',').Select(n => n is "age" or "hours" ? (DataField)new DataField<int>(n) : new DataField<string>(n)).ToArray();
        await using (var stream = File.Create(PathOf("adult.parquet")))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            foreach (var group in rows.Select(r => r.Split(',')).Chunk(1000))
            {
                using var rowGroup = writer.CreateRowGroup();
                for (int c = 0; c < fields.Length; c++)
                    if (fields[c] is DataField<int>) await rowGroup.WriteAsync<int>(fields[c], group.Select(r => int.Parse(r[c], CultureInfo.InvariantCulture)).ToArray().AsMemory());
                    else await rowGroup.WriteAsync(fields[c], group.Select(r => r[c]).ToArray());
            }
        }
        var schema = new TabularSchema(
            [new("age", ColumnKind.Numeric), new("workclass", ColumnKind.Categorical), new("hours", ColumnKind.Numeric), new("sex", ColumnKind.Categorical), new("income", ColumnKind.Categorical)],
            [new TaskSpec("income", "income", TaskKind.Binary, [">50K"])]);
        var split = new HashSplit(7, 0.8, 0.1);
        using var csvSource = new CsvChunkSource(csv, CsvOptions.Default, chunkRows: 700);
        using var parquetSource = ParquetChunkSource.Open(PathOf("adult.parquet"));
        var fromCsv = StreamingFit.Run(csvSource, schema, split).Encoder.Preprocessing;
        var fromParquet = StreamingFit.Run(parquetSource, schema, split).Encoder.Preprocessing;

        Assert.Equal(fromCsv.Numeric, fromParquet.Numeric);
        Assert.Equal(fromCsv.Categorical.Select(v => v.Levels), fromParquet.Categorical.Select(v => v.Levels));
        // The same rows by content, in the same order: the same training-data identity.
        Assert.Equal(fromCsv.TrainingData, fromParquet.TrainingData);
    }

    [Fact]
    public async Task A_bad_parquet_file_column_or_value_is_refused_with_its_place()
    {
        File.WriteAllText(PathOf("text.parquet"), "age,income\n1,2\n");
        var notParquet = Assert.Throws<CsvFormatException>(() => ParquetChunkSource.Open(PathOf("text.parquet")));
        Assert.StartsWith($"{PathOf("text.parquet")}:0:0: not a readable Parquet file", notParquet.Message);

        var when = new DataField<DateTime>("when");
        var label = new DataField<int>("label");
        await using (var stream = File.Create(PathOf("dates.parquet")))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(label, when), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(label, new[] { 1 }.AsMemory());
            await group.WriteAsync<DateTime>(when, new[] { DateTime.UnixEpoch }.AsMemory());
        }
        var dates = Assert.Throws<CsvFormatException>(() => ParquetChunkSource.Open(PathOf("dates.parquet")));
        Assert.StartsWith($"{PathOf("dates.parquet")}:0:2: column 'when' is of type DateTime", dates.Message);

        // A value that does not fit the declared kind, in the second row group: its row across the file and its column.
        var (path, _) = await WriteMixed("mixed.parquet", [700, 1299]);
        var schema = new TabularSchema(
            [new("label", ColumnKind.Categorical), new("amount", ColumnKind.Numeric), new("ratio", ColumnKind.Numeric), new("city", ColumnKind.Numeric), new("member", ColumnKind.Categorical)],
            [new TaskSpec("label", "label", TaskKind.Binary, ["1"])]);
        using var source = ParquetChunkSource.Open(path);
        var error = Assert.Throws<CsvFormatException>(() => StreamingFit.Run(source, schema, split: null));
        // Row 1 (index 0) has a null city (missing); row 2 is the first whose city is text.
        Assert.StartsWith($"{path}:2:4: column 'city'", error.Message);
    }
}

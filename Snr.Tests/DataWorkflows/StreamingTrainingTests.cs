using System.Globalization;
using System.Text;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, streaming: the one-pass statistics equal the in-memory encoder's, the streamed epochs
/// equal in-memory training where the design says so, and a bad row mid-training keeps the last epoch.
/// </summary>
public sealed class StreamingTrainingTests() : TempFolderTests("snr-stream-train-")
{
    private static readonly TaskSpec[] Tasks = [new("click", "click", TaskKind.Binary, ["1"]), new("spend", "spend", TaskKind.Regression)];

    // A file with what the statistics must get right: numbers far from 0 with a small spread (Welford), missing values,
    // a categorical column of a few hundred skewed levels (the cap), "?" and "" alike, a mostly-numeric column with one
    // bad value (an inference note), missing labels, and a weight column.
    private string WriteData(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id,big,small,city,colour,code,click,spend,w\n");
        for (int i = 0; i < rows; i++)
        {
            double big = 1e6 + random.NextDouble(), small = random.NextDouble() * 2 - 1;
            int city = (int)(300 * Math.Pow(random.NextDouble(), 3));
            string colour = (i % 7) switch { 0 => "?", 1 => "", 2 => "red", 3 => "green", _ => "blue" };
            string code = i == rows / 2 ? "n/a" : (i % 40).ToString(CultureInfo.InvariantCulture) + ".5";
            bool click = small + (city < 20 ? 0.8 : 0) + random.NextDouble() - 0.5 > 0.3;
            string clickText = i % 11 == 0 ? "?" : click ? "1" : "0";
            text.Append(CultureInfo.InvariantCulture, $"{i},{(i % 13 == 0 ? "?" : big.ToString("R", CultureInfo.InvariantCulture))},{small:R},c{city},{colour},{code},{clickText},{small * 3 + random.NextDouble():R},{1 + i % 3}\n");
        }
        File.WriteAllText(PathOf(name), text.ToString());
        return PathOf(name);
    }

    private static TabularSchema Schema => new(
        [new("id", ColumnKind.Ignored), new("big", ColumnKind.Numeric), new("small", ColumnKind.Numeric), new("city", ColumnKind.Categorical),
         new("colour", ColumnKind.Categorical), new("code", ColumnKind.Categorical), new("click", ColumnKind.Categorical), new("spend", ColumnKind.Numeric), new("w", ColumnKind.Ignored)],
        Tasks) { WeightColumn = "w" };

    [Fact]
    public void The_one_pass_statistics_equal_the_in_memory_encoders_with_the_vocabulary_cap()
    {
        string path = WriteData("data.csv", 20_000, seed: 1);
        var table = RawTable.Load(path, CsvOptions.Default);
        int[] all = [.. Enumerable.Range(0, table.RowCount)];
        // The second limits cap the 300 cities at 160 and drop those seen once; the counter (room for 320) still counts exactly.
        foreach (var limits in new[] { VocabularyLimits.Default, new VocabularyLimits(MaxSize: 160, MinCount: 2), new VocabularyLimits(MaxSize: 400, MinCount: 40) })
        {
            var expected = TabularEncoder.Fit(table, Schema, all, limits).Preprocessing;
            using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 3000);
            var streamed = StreamingFit.Run(source, Schema, split: null, limits).Encoder.Preprocessing;

            Assert.Equal(expected.Numeric.Count, streamed.Numeric.Count);
            for (int i = 0; i < expected.Numeric.Count; i++)
            {
                Assert.Equal(expected.Numeric[i].Mean, streamed.Numeric[i].Mean, 1e-6 * Math.Abs(expected.Numeric[i].Mean));
                Assert.Equal(expected.Numeric[i].Std, streamed.Numeric[i].Std, 1e-6 * expected.Numeric[i].Std);
            }
            // The same values in the same order: equal to the bit, in fact.
            Assert.Equal(expected.Numeric, streamed.Numeric);
            Assert.Equal(expected.Categorical.Select(v => v.Levels), streamed.Categorical.Select(v => v.Levels));
            Assert.Equal(expected.TrainingData, streamed.TrainingData);
        }
        // The caps bite: 160 cities of the skewed column, or those seen at least 40 times; "?" and "" are one level.
        using (var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 3000))
        {
            var capped = StreamingFit.Run(source, Schema, split: null, new VocabularyLimits(160, 2)).Encoder.Preprocessing.Categorical;
            Assert.Equal(160, capped[0].Levels.Count);
            Assert.Equal(["?", "red", "green", "blue"], capped[1].Levels);
            var cities = table.Levels(table.ColumnIndex("city"));
            Assert.True(cities.Count is > 250 and <= 300, $"{cities.Count} cities");
        }
        using (var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 3000))
        {
            var frequent = StreamingFit.Run(source, Schema, split: null, new VocabularyLimits(400, 40)).Encoder.Preprocessing.Categorical[0].Levels;
            int column = table.ColumnIndex("city");
            var counts = Enumerable.Range(0, table.RowCount).GroupBy(r => table.Value(r, column)).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(counts.Where(p => p.Value >= 40).Select(p => p.Key).Order(), frequent.Order());
        }
        // Welford: the mean of 1e6 + U(0, 1) and its deviation (≈ 0.2887) survive.
        Assert.Equal(0.2887, TabularEncoder.Fit(table, Schema, all).Preprocessing.Numeric[0].Std, 2);
    }

    [Fact]
    public void Inference_in_one_pass_gives_the_in_memory_schema_and_notes()
    {
        string path = WriteData("data.csv", 6000, seed: 2);
        var table = RawTable.Load(path, CsvOptions.Default);
        var inference = new SchemaInference { Declared = new Dictionary<string, ColumnKind> { ["id"] = ColumnKind.Ignored, ["w"] = ColumnKind.Ignored } };
        var (schema, notes) = inference.Infer(table, Tasks);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 1000);
        var fit = StreamingFit.Run(source, Tasks, inference, "w", split: null);
        Assert.Equal(schema.Columns, fit.Schema.Columns);
        Assert.Equal(notes, fit.Notes);
        Assert.Contains("code: read as Categorical because of 1 value(s)", fit.Notes[0]);
        // 'code' looked numeric (40 distinct numbers) until its bad value half-way: a second pass counted its vocabulary.
        Assert.Equal(2, fit.Passes);
        var expected = TabularEncoder.Fit(table, schema with { WeightColumn = "w" }, [.. Enumerable.Range(0, table.RowCount)]).Preprocessing;
        Assert.Equal(expected.Categorical.Select(v => v.Levels), fit.Encoder.Preprocessing.Categorical.Select(v => v.Levels));
        Assert.Equal(expected.Numeric, fit.Encoder.Preprocessing.Numeric);
    }

    [Fact]
    public void The_vocabulary_counter_keeps_the_frequent_values_of_a_column_too_large_to_count()
    {
        // 5,000 distinct rare values around three frequent ones (counted exactly: the streaming counter has room for 200,000 values whatever MaxSize; VocabularyFlagTests checks the forgetting counter directly).
        var text = new StringBuilder("v,y\n");
        for (int i = 0; i < 20_000; i++) text.Append(i % 4 == 0 ? "rare" + i : (i % 4) switch { 1 => "a", 2 => "b", _ => "c" }).Append(',').Append(i % 2).Append('\n');
        File.WriteAllText(PathOf("wide.csv"), text.ToString());
        var schema = new TabularSchema([new("v", ColumnKind.Categorical), new("y", ColumnKind.Categorical)], [new TaskSpec("y", "y", TaskKind.Binary, ["1"])]);
        using var source = new CsvChunkSource(PathOf("wide.csv"), CsvOptions.Default, chunkRows: 512);
        var vocabulary = StreamingFit.Run(source, schema, split: null, new VocabularyLimits(MaxSize: 4, MinCount: 100)).Encoder.Preprocessing.Categorical[0].Levels;
        Assert.Equal(["a", "b", "c"], vocabulary);
    }

    // A small SNR-Trans for the data, the same for both paths.
    private static MultiTaskModel NewModel(TabularEncoder encoder) =>
        ModelFactory.Create(DefaultModels.Create("snr-trans", encoder.NumericCount, encoder.EmbeddingConfig(), [.. Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], seed: 4));

    private static TrainingConfig Config(int epochs = 2) => new() { Epochs = epochs, BatchSize = 128, Seed = 5, ValidationFraction = 0 };

    private static float[][] Weights(MultiTaskModel model) => [.. model.Parameters().Select(p => p.Tensor.Data.ToArray())];

    [Fact]
    public void One_chunk_and_a_buffer_holding_every_row_train_exactly_as_in_memory()
    {
        string train = WriteData("train.csv", 3000, seed: 3), validation = WriteData("validation.csv", 500, seed: 4);
        var inMemory = TabularSplit.FromFiles(RawTable.Load(train, CsvOptions.Default), RawTable.Load(validation, CsvOptions.Default),
            RawTable.Load(validation, CsvOptions.Default), Schema, seed: 5);
        var memoryModel = NewModel(inMemory.Encoder);
        var memoryHistory = new Trainer(memoryModel, Config()).Fit(inMemory.Train, inMemory.Validation);

        using var source = new CsvChunkSource(train, CsvOptions.Default, chunkRows: 1 << 20);
        var fit = StreamingFit.Run(source, Schema, split: null);
        Assert.Equal(inMemory.Encoder.Preprocessing.Numeric, fit.Encoder.Preprocessing.Numeric);
        var streamModel = NewModel(fit.Encoder);
        var streamHistory = new Trainer(streamModel, Config()).Fit(new StreamingRows(source, fit, shuffleBufferRows: 1 << 20), inMemory.Validation);

        Assert.Equal(memoryHistory.Epochs.Select(e => e.TrainTotalLoss), streamHistory.Epochs.Select(e => e.TrainTotalLoss));
        Assert.Equal(Weights(memoryModel), Weights(streamModel));
    }

    [Fact]
    public void Small_chunks_and_a_small_buffer_visit_every_training_row_once_an_epoch_in_another_order()
    {
        string path = WriteData("data.csv", 5000, seed: 6);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 700);
        var fit = StreamingFit.Run(source, Schema, new HashSplit(Seed: 9, Train: 0.8, Validation: 0.1));
        Assert.Equal(5000, fit.TrainRows + fit.ValidationRows + fit.TestRows);
        Assert.InRange(fit.TrainRows, 3800, 4200);
        var stream = new StreamingRows(source, fit, shuffleBufferRows: 1000);

        // The training rows in file order, encoded in memory, as a multiset of (first numeric input, city slot, click label).
        var table = RawTable.Load(path, CsvOptions.Default);
        using var chunks = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 700);
        var encoded = fit.Encoder.Encode(table, [.. Enumerable.Range(0, table.RowCount)]);
        var expected = new List<(float, int, float)>();
        int rowInFile = 0;
        var chunk = new RowChunk(path, chunks.ColumnNames);
        var encoder = new ChunkEncoder(fit.Encoder, path, chunks.ColumnNames, fit.Split);
        for (int c = 0; chunks.TryReadChunk(c, chunk); c++)
            for (int r = 0; r < chunk.RowCount; r++, rowInFile++)
                if (encoder.RoleOf(chunk, r) == RowRole.Train)
                    expected.Add((encoded.Numeric[rowInFile * encoded.NumericCount], encoded.Categorical[rowInFile * encoded.CategoricalCount], encoded.Labels[0][rowInFile]));
        Assert.Equal(fit.TrainRows, expected.Count);

        List<(float, int, float)>? firstEpoch = null;
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            int n = (int)stream.Count, t = stream.TaskNames.Count;
            var numeric = new float[n * stream.NumericCount];
            var categorical = new int[n * stream.CategoricalCount];
            var labels = new float[n * t];
            var weights = new float[n];
            using (var rows = stream.Open(epoch, seed: 5))
                for (int start = 0; start < n; start += 333)
                {
                    int k = Math.Min(333, n - start);
                    rows.Read(numeric.AsSpan(start * stream.NumericCount, k * stream.NumericCount), categorical.AsSpan(start * stream.CategoricalCount, k * stream.CategoricalCount),
                        labels.AsSpan(start * t, k * t), weights.AsSpan(start, k));
                }
            var visited = Enumerable.Range(0, n).Select(i => (numeric[i * stream.NumericCount], categorical[i * stream.CategoricalCount], labels[i * t])).ToList();
            Assert.Equal(expected.OrderBy(x => x).ToList(), visited.OrderBy(x => x).ToList(), new NanEqual());
            Assert.NotEqual(expected, visited, new NanEqual());
            if (firstEpoch is null) firstEpoch = visited;
            else Assert.NotEqual(firstEpoch, visited, new NanEqual());
        }
    }

    private sealed class NanEqual : IEqualityComparer<(float, int, float)>
    {
        public bool Equals((float, int, float) x, (float, int, float) y) => x.Item1.Equals(y.Item1) && x.Item2 == y.Item2 && x.Item3.Equals(y.Item3);

        public int GetHashCode((float, int, float) obj) => obj.GetHashCode();
    }

    [Fact]
    public void A_bad_row_met_during_training_names_its_place_and_keeps_the_last_completed_epoch()
    {
        string path = WriteData("data.csv", 4000, seed: 7);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 500);
        var fit = StreamingFit.Run(source, Schema, split: null);
        var validation = fit.Encoder.Encode(RawTable.Load(path, CsvOptions.Default), [.. Enumerable.Range(0, 200)]).ToDataset();

        // The reference: the same training stopped after one epoch.
        var oneEpoch = NewModel(fit.Encoder);
        new Trainer(oneEpoch, Config(epochs: 1)).Fit(new StreamingRows(source, fit, 1000), validation);

        // After epoch 1 the file is changed in place: line 2,501's 'small' becomes 'oops!' (same length, so the chunks stay where they were).
        var model = NewModel(fit.Encoder);
        var e = Assert.Throws<TrainingDataException>(() => new Trainer(model, Config(epochs: 3)).Fit(new StreamingRows(source, fit, 1000), validation, epoch =>
        {
            if (epoch.Epoch != 1) return;
            string[] lines = File.ReadAllLines(path);
            string[] fields = lines[2500].Split(',');
            fields[2] = "oops!".PadRight(fields[2].Length, '!')[..fields[2].Length];
            lines[2500] = string.Join(',', fields);
            File.WriteAllText(path, string.Join('\n', lines) + "\n");
        }));
        var place = Assert.IsType<CsvFormatException>(e.InnerException);
        int column = File.ReadAllLines(path)[2500].IndexOf("oops", StringComparison.Ordinal) + 1;
        Assert.Equal((path, 2501L, column), (place.File, place.Line, place.Column));
        Assert.Contains("column 'small'", place.Message);
        Assert.Equal(1, e.History.BestEpoch);
        Assert.Single(e.History.Epochs);
        Assert.Equal(Weights(oneEpoch), Weights(model));
    }
}

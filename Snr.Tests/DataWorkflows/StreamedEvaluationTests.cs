using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, validation and test sets larger than memory: rows read from the file chunk by chunk
/// while they are scored give the metrics of the same rows in memory, to the bit.
/// </summary>
public sealed class StreamedEvaluationTests() : TempFolderTests("snr-stream-eval-")
{
    private static readonly TaskSpec[] Tasks = [new("click", "click", TaskKind.Binary, ["1"]), new("spend", "spend", TaskKind.Regression)];

    // Row weights (1–3), missing click labels (every 11th row), a categorical column of skewed levels, numbers with missing values.
    private string WriteData(string name, int rows, int seed, int firstId = 0)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id,x,y,city,click,spend,w\n");
        for (int i = 0; i < rows; i++)
        {
            double x = random.NextDouble() * 2 - 1, y = random.NextDouble();
            int city = (int)(200 * Math.Pow(random.NextDouble(), 3));
            bool click = x + (city < 20 ? 0.8 : 0) + random.NextDouble() - 0.5 > 0.3;
            string clickText = i % 11 == 0 ? "?" : click ? "1" : "0";
            text.Append(CultureInfo.InvariantCulture, $"{firstId + i},{x:R},{(i % 17 == 0 ? "?" : y.ToString("R", CultureInfo.InvariantCulture))},c{city},{clickText},{x * 3 + random.NextDouble():R},{1 + i % 3}\n");
        }
        File.WriteAllText(PathOf(name), text.ToString());
        return PathOf(name);
    }

    private static TabularSchema Schema => new(
        [new("id", ColumnKind.Ignored), new("x", ColumnKind.Numeric), new("y", ColumnKind.Numeric), new("city", ColumnKind.Categorical),
         new("click", ColumnKind.Categorical), new("spend", ColumnKind.Numeric), new("w", ColumnKind.Ignored)],
        Tasks) { WeightColumn = "w" };

    private static MultiTaskModel NewModel(TabularEncoder encoder) =>
        ModelFactory.Create(DefaultModels.Create("mmoe", encoder.NumericCount, encoder.EmbeddingConfig(), [.. Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], seed: 4));

    // Every number of the metrics, for exact comparison.
    private static double?[] Numbers(IReadOnlyList<TaskMetrics> metrics) =>
        [.. metrics.SelectMany(m => new double?[] { m.Loss, m.Auc, m.LogLoss, m.Mse, m.Rmse })];

    [Fact]
    public void Held_out_rows_read_chunk_by_chunk_give_the_in_memory_metrics_to_the_bit()
    {
        // 40,000 rows, 60% test: about 24,000 test rows, more than one evaluation block (16,384), in chunks of 3,000 rows.
        string path = WriteData("data.csv", 40_000, seed: 1);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 3000);
        var fit = StreamingFit.Run(source, Schema, new HashSplit(Seed: 3, Train: 0.3, Validation: 0.1));
        var (validation, test) = fit.ReadHeldOut(source);
        Assert.True(test.Count > 16_384, $"{test.Count} test rows");
        Assert.True(validation.RowWeights.Length == validation.Count && test.Labels(0).ToArray().Any(float.IsNaN), "weights and missing labels are in the data");

        var model = NewModel(fit.Encoder);
        using var predictor = Predictor.Compile(model);
        Assert.Equal(16_384, Evaluator.BlockRows(predictor));
        foreach (var (role, inMemory) in new[] { (RowRole.Validation, validation), (RowRole.Test, test) })
        {
            using var file = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 3000);
            var streamed = StreamingEvaluationRows.HeldOut(file, fit, role);
            Assert.Equal(inMemory.Count, streamed.Count);
            var expected = Evaluator.Evaluate(predictor, model.Tasks, inMemory);
            var actual = Evaluator.Evaluate(predictor, model.Tasks, streamed);
            Assert.Equal(Numbers(expected), Numbers(actual)); // exact: the same scores in the same order
            // And read a second time (as validation is, every epoch): the same again.
            Assert.Equal(Numbers(expected), Numbers(Evaluator.Evaluate(predictor, model.Tasks, streamed)));
        }

        // The in-memory metrics are the weighted metrics of the labelled rows (the path did not change them).
        var scores = Evaluator.Predict(predictor, test);
        var labelled = Enumerable.Range(0, test.Count).Where(r => !float.IsNaN(test.Labels(0)[r])).ToArray();
        float[] labels = [.. labelled.Select(r => test.Labels(0)[r])], clickScores = [.. labelled.Select(r => scores[0][r])], weights = [.. labelled.Select(r => test.RowWeights[r])];
        var click = Evaluator.Evaluate(predictor, model.Tasks, test)[0];
        Assert.Equal(Metrics.RocAuc(labels, clickScores, weights), click.Auc);
        Assert.Equal(Metrics.LogLoss(labels, clickScores, weights), click.LogLoss);
    }

    // A source that counts the chunks read from it.
    private sealed class CountingSource(IRowChunkSource inner) : IRowChunkSource
    {
        public int ChunksRead { get; private set; }

        public string Name => inner.Name;

        public IReadOnlyList<string> ColumnNames => inner.ColumnNames;

        public IReadOnlyDictionary<string, ColumnKind> ImpliedKinds => inner.ImpliedKinds;

        public int ChunkCount => inner.ChunkCount;

        public bool TryReadChunk(int index, RowChunk destination)
        {
            ChunksRead++;
            return inner.TryReadChunk(index, destination);
        }

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void Readings_after_the_first_read_the_spilled_rows_not_the_file_with_the_same_metrics()
    {
        string path = WriteData("data.csv", 6000, seed: 10);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 500);
        var fit = StreamingFit.Run(source, Schema, new HashSplit(Seed: 5, Train: 0.6, Validation: 0.2));
        var inMemory = fit.ReadHeldOut(source).Validation;
        var model = NewModel(fit.Encoder);
        using var predictor = Predictor.Compile(model);
        var expected = Numbers(Evaluator.Evaluate(predictor, model.Tasks, inMemory));

        var file = new CountingSource(new CsvChunkSource(path, CsvOptions.Default, chunkRows: 500));
        using var rows = StreamingEvaluationRows.HeldOut(file, fit, RowRole.Validation);
        Assert.Equal(expected, Numbers(Evaluator.Evaluate(predictor, model.Tasks, rows)));
        int firstReading = file.ChunksRead;
        Assert.Equal(13, firstReading); // 12 chunks and the end
        for (int i = 0; i < 2; i++) Assert.Equal(expected, Numbers(Evaluator.Evaluate(predictor, model.Tasks, rows)));
        Assert.Equal(firstReading, file.ChunksRead);

        // A reading abandoned half-way leaves no spill behind: the next reading goes back to the file, and spills it again.
        using var again = StreamingEvaluationRows.HeldOut(file, fit, RowRole.Validation);
        using (var reader = again.Open())
        {
            var buffer = new float[10 * again.NumericCount];
            reader.Read(buffer, new int[10 * again.CategoricalCount], new float[10 * again.TaskNames.Count], new float[10]);
        }
        int before = file.ChunksRead;
        Assert.Equal(expected, Numbers(Evaluator.Evaluate(predictor, model.Tasks, again)));
        Assert.Equal(before + 13, file.ChunksRead);
        Assert.Equal(expected, Numbers(Evaluator.Evaluate(predictor, model.Tasks, again)));
        Assert.Equal(before + 13, file.ChunksRead);
        Assert.Equal(inMemory.Count, again.Count);
    }

    [Fact]
    public void Streamed_validation_during_training_equals_validation_in_memory()
    {
        string path = WriteData("data.csv", 6000, seed: 2);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 700);
        var fit = StreamingFit.Run(source, Schema, new HashSplit(Seed: 5, Train: 0.7, Validation: 0.2));
        var validation = fit.ReadHeldOut(source).Validation;
        var config = new TrainingConfig { Epochs = 2, BatchSize = 128, Seed = 5, ValidationFraction = 0 };

        var inMemoryModel = NewModel(fit.Encoder);
        var inMemory = new Trainer(inMemoryModel, config).Fit(new StreamingRows(source, fit, 1000), validation);
        using var file = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 700);
        var streamedModel = NewModel(fit.Encoder);
        var streamed = new Trainer(streamedModel, config).Fit(new StreamingRows(source, fit, 1000), StreamingEvaluationRows.HeldOut(file, fit, RowRole.Validation));

        Assert.Equal(2, streamed.Epochs.Count);
        for (int e = 0; e < 2; e++) Assert.Equal(Numbers(inMemory.Epochs[e].Validation), Numbers(streamed.Epochs[e].Validation));
        Assert.Equal(inMemoryModel.Parameters().Select(p => p.Tensor.Data.ToArray()), streamedModel.Parameters().Select(p => p.Tensor.Data.ToArray()));
    }

    [Fact]
    public void Unseen_rows_streamed_are_the_rows_the_in_memory_evaluation_finds()
    {
        // A model fitted in memory on a seeded 70/10/20 split of data.csv (its identity records the split).
        string path = WriteData("data.csv", 3000, seed: 3);
        var table = RawTable.Load(path, CsvOptions.Default);
        var split = TabularSplit.Create(table, Schema, seed: 7);
        var model = NewModel(split.Encoder);
        using var predictor = Predictor.Compile(model);
        var identity = split.Encoder.Preprocessing.TrainingData!;

        // The same file: its recorded test split. Streamed, its rows come in file order; in memory, in the split's shuffled order.
        // The same rows in file order give the same metrics to the bit; in the split's order, the AUC is the same and the
        // log loss and MSE (sums in another order) agree to 1e-12.
        using (var file = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 400))
        {
            var streamed = StreamingEvaluationRows.Unseen(file, split.Encoder);
            Assert.True(streamed.IsTestSplit);
            Assert.Equal(split.Test.Count, streamed.Count);
            Assert.Equal(3000 - split.Test.Count, streamed.Excluded);
            var actual = Evaluator.Evaluate(predictor, model.Tasks, streamed);
            int[] testRows = [.. identity.Split!.Apply(3000).Test.Order()];
            Assert.Equal(Numbers(Evaluator.Evaluate(predictor, model.Tasks, split.Encoder.Encode(table, testRows).ToDataset())), Numbers(actual));
            var shuffled = Evaluator.Evaluate(predictor, model.Tasks, split.Test);
            Assert.Equal(shuffled[0].Auc, actual[0].Auc);
            Assert.Equal(shuffled[0].LogLoss!.Value, actual[0].LogLoss!.Value, 1e-12);
            Assert.Equal(shuffled[1].Mse!.Value, actual[1].Mse!.Value, 1e-12);
            Assert.Equal(split.Test.Count, streamed.Count);
            Assert.Equal(3000 - split.Test.Count, streamed.Excluded);
        }

        // Another file: its first 1,000 rows are rows of data.csv (some seen, some test rows), then 1,500 new rows.
        string other = PathOf("other.csv");
        File.WriteAllLines(other, File.ReadAllLines(path).Take(1001).Concat(File.ReadAllLines(WriteData("new.csv", 1500, seed: 4, firstId: 5000)).Skip(1)));
        var otherTable = RawTable.Load(other, CsvOptions.Default);
        var unseen = identity.Unseen(otherTable, Schema);
        Assert.False(unseen.IsTestSplit);
        Assert.InRange(unseen.Excluded, 700, 900);
        var expected = Evaluator.Evaluate(predictor, model.Tasks, split.Encoder.Encode(otherTable, unseen.Rows).ToDataset());
        using (var file = new CsvChunkSource(other, CsvOptions.Default, chunkRows: 333))
        {
            var streamed = StreamingEvaluationRows.Unseen(file, split.Encoder);
            Assert.Null(streamed.Count); // known once read
            Assert.Equal(Numbers(expected), Numbers(Evaluator.Evaluate(predictor, model.Tasks, streamed)));
            Assert.Equal(unseen.Rows.Length, streamed.Count);
            Assert.Equal(unseen.Excluded, streamed.Excluded);
            Assert.False(streamed.IsTestSplit);
        }
    }

    [Fact]
    public void A_validation_file_that_goes_bad_during_training_keeps_the_last_completed_epoch()
    {
        string train = WriteData("train.csv", 2000, seed: 8), validation = WriteData("validation.csv", 900, seed: 9);
        using var source = new CsvChunkSource(train, CsvOptions.Default, chunkRows: 500);
        var fit = StreamingFit.Run(source, Schema, split: null);
        var config = new TrainingConfig { Epochs = 3, BatchSize = 128, Seed = 5, ValidationFraction = 0 };
        var oneEpoch = NewModel(fit.Encoder);
        new Trainer(oneEpoch, config with { Epochs = 1 }).Fit(new StreamingRows(source, fit, 1000), (MultiTaskDataset?)null);

        // After epoch 1, line 601 of the validation file gets a value of 'x' that is not a number (same length), and
        // the rows spilled by the first validation are dropped, so that epoch 2 reads the file again.
        using var file = new CsvChunkSource(validation, CsvOptions.Default, chunkRows: 256);
        using var validationRows = StreamingEvaluationRows.AllRows(file, fit.Encoder);
        var model = NewModel(fit.Encoder);
        var e = Assert.Throws<TrainingDataException>(() => new Trainer(model, config).Fit(new StreamingRows(source, fit, 1000), validationRows, epoch =>
        {
            if (epoch.Epoch != 1) return;
            validationRows.Dispose();
            string[] lines = File.ReadAllLines(validation);
            string[] fields = lines[600].Split(',');
            fields[1] = "bad!".PadRight(fields[1].Length, '!')[..fields[1].Length];
            lines[600] = string.Join(',', fields);
            File.WriteAllText(validation, string.Join('\n', lines) + "\n");
        }));
        var place = Assert.IsType<CsvFormatException>(e.InnerException);
        Assert.Equal((validation, 601L), (place.File, place.Line));
        Assert.Contains("column 'x'", place.Message);
        Assert.Single(e.History.Epochs);
        Assert.Equal(1, e.History.BestEpoch);
        Assert.Equal(oneEpoch.Parameters().Select(p => p.Tensor.Data.ToArray()), model.Parameters().Select(p => p.Tensor.Data.ToArray()));
    }

    [Fact]
    public void Cancelling_a_streamed_evaluation_is_not_taken_for_the_end_of_the_file()
    {
        string path = WriteData("data.csv", 5000, seed: 6);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 500);
        var fit = StreamingFit.Run(source, Schema, split: null);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using var file = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 500);
        var rows = StreamingEvaluationRows.AllRows(file, fit.Encoder, cancel.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => Evaluator.Evaluate(NewModel(fit.Encoder), rows));
    }

    // The metrics table's lines (task name first), without the header that names the rows.
    private static string MetricLines(string output) => string.Join("\n", output.Split('\n').Where(l => Regex.IsMatch(l, @"^\W*income\b")));

    // The "tasks" of the JSON summary (the last line): name, metric and value of each.
    private static string JsonTasks(string output) =>
        System.Text.Json.JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("tasks").GetRawText();

    [Fact]
    public void Cli_eval_stream_prints_the_metrics_of_eval_in_memory_and_train_stream_checks_its_files_first()
    {
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), AdultLikeCsv.Rows(2000));
        string model = PathOf("model");
        var (code, _, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--epochs", "1", "--model", "mmoe", "--out", model, "--seed", "3");
        Assert.True(code == 0, error);

        // The training file (found by content: its recorded test split) and another file: 300 of its rows, then 300 new ones.
        string other = AdultLikeCsv.Write(PathOf("other.csv"), AdultLikeCsv.Rows(300).Concat(Enumerable.Range(0, 300).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{90 + i % 9},Private,{20 + i % 50},Male,{(i % 3 == 0 ? ">50K" : "<=50K")}"))));
        foreach (string file in new[] { data, other })
        {
            var (memoryCode, memory, memoryError) = Run("eval", "--model", model, "--data", file, "--json");
            var (streamCode, streamed, streamError) = Run("eval", "--model", model, "--data", file, "--stream", "--json");
            Assert.True(memoryCode == 0 && streamCode == 0, memoryError + streamError);
            Assert.Contains("chunk by chunk", streamed);
            Assert.Equal(JsonTasks(memory), JsonTasks(streamed)); // the JSON summary's metrics, as doubles in full
            Assert.NotEmpty(MetricLines(memory));
            Assert.Equal(MetricLines(memory), MetricLines(streamed));
        }
        Assert.Contains("evaluating on its test split, 400 of 2,000 rows", Run("eval", "--model", model, "--data", data, "--stream").Output);

        // train --stream with files by role: the test file's rows are counted by a pass before training.
        string train = AdultLikeCsv.Write(PathOf("train.csv"), AdultLikeCsv.Rows(1000));
        var testRows = AdultLikeCsv.Rows(1300).Skip(1000).ToList();
        string test = AdultLikeCsv.Write(PathOf("test.csv"), testRows);
        var (streamedCode, streamedOutput, streamedError) = Run("train", "--train", train, "--test", test, "--stream", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m1"));
        Assert.True(streamedCode == 0, streamedError);
        Assert.Matches(@"[\d,]+ training, [\d,]+ validation, 300 test rows \(training rows streamed from disk, shuffled [\d,]+ at a time\)", streamedOutput);
        Assert.Contains("Validation and test rows are read from disk chunk by chunk at each evaluation", streamedOutput);

        // Every row of the training file was trained or validated on: refused, as in memory.
        var everySeen = Run("eval", "--model", PathOf("m1"), "--data", train, "--stream");
        Assert.Equal(1, everySeen.Code);
        Assert.Contains("nothing left to evaluate", everySeen.Error);

        // A bad number in the test file is refused with its place before any epoch trains.
        testRows[250] = "4x" + testRows[250];
        AdultLikeCsv.Write(test, testRows);
        var (badCode, badOutput, badError) = Run("train", "--train", train, "--test", test, "--stream", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m2"));
        Assert.Equal(1, badCode);
        Assert.Contains($"{test}:252:1: column 'age': '4x", badError);
        Assert.DoesNotContain("epoch 1/1", badOutput);
    }
}

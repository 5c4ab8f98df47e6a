using Snr.Datasets;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, files by role: a training, a validation and a test file instead of one file split at
/// random. The encoder is fitted on the training file only; the other files are read through its schema.
/// </summary>
public sealed class FilesByRoleTests() : TempFolderTests("snr-files-")
{
    // Rows of a headerless Census-Income table written back in its own layout (comma-separated, no header).
    private string WriteCensusRows(RawTable table, int[] rows, string name)
    {
        using var writer = new StreamWriter(PathOf(name));
        foreach (int r in rows)
            writer.Write(string.Join(',', Enumerable.Range(0, table.ColumnNames.Count).Select(c => table.Value(r, c))) + "\n");
        return PathOf(name);
    }

    [Fact]
    public void Census_through_train_validation_and_test_files_gives_the_in_memory_splits_data_and_aucs()
    {
        var table = CensusIncome.Load();
        var schema = CensusIncome.Schema(1);
        var inMemory = TabularSplit.Create(table, schema, seed: 1);
        var split = DataSplit.Shuffled(table.RowCount, seed: 1);
        var files = TabularSplit.FromFiles(
            CensusIncome.Load(WriteCensusRows(table, split.Train, "train.csv")),
            CensusIncome.Load(WriteCensusRows(table, split.Validation, "validation.csv")),
            CensusIncome.Load(WriteCensusRows(table, split.Test, "test.csv")), schema, seed: 1);

        Assert.Equal(inMemory.Encoder.Preprocessing.Numeric, files.Encoder.Preprocessing.Numeric);
        Assert.Equal(inMemory.Encoder.Preprocessing.Categorical.Select(v => v.Levels), files.Encoder.Preprocessing.Categorical.Select(v => v.Levels));
        foreach (var (a, b) in new[] { (inMemory.Train, files.Train), (inMemory.Validation, files.Validation), (inMemory.Test, files.Test) })
        {
            Assert.True(a.Numeric.SequenceEqual(b.Numeric));
            Assert.True(a.Categorical.SequenceEqual(b.Categorical));
            for (int t = 0; t < a.TaskNames.Count; t++) Assert.True(a.Labels(t).SequenceEqual(b.Labels(t)));
        }

        // One epoch each way: the same data and seeds give the same model, so the same test AUCs.
        double[] Aucs(TabularSplit data)
        {
            var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
            var model = ModelFactory.Create(DefaultModels.Create("snr-trans", data.Train.NumericCount, data.Encoder.EmbeddingConfig(), tasks, seed: 1));
            new Trainer(model, new TrainingConfig { Epochs = 1, BatchSize = 512, Seed = 1, L0Lambda = 1e-4f }).Fit(data.Train, data.Validation);
            return [.. Evaluator.Evaluate(model, data.Test).Select(m => m.Auc!.Value)];
        }
        double[] expected = Aucs(inMemory), actual = Aucs(files);
        Assert.True(expected[0] > 0.85, $"income AUC {expected[0]}");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_encoder_is_fitted_on_the_training_rows_only()
    {
        var schema = new TabularSchema(
            [new("age", ColumnKind.Numeric), new("workclass", ColumnKind.Categorical), new("hours", ColumnKind.Numeric), new("sex", ColumnKind.Categorical), new("income", ColumnKind.Categorical)],
            [new TaskSpec("income", "income", TaskKind.Binary, [">50K"])]);
        var train = RawTable.Load(AdultLikeCsv.Write(PathOf("train.csv"), AdultLikeCsv.Rows()), CsvOptions.Default);
        // The test file has ages far from the training ones and a work class the training file lacks.
        var test = RawTable.Load(AdultLikeCsv.Write(PathOf("test.csv"), AdultLikeCsv.Rows(40).Select(r => "9" + r.Replace("Gov", "Never-seen"))), CsvOptions.Default);
        var parts = TabularSplit.FromFiles(train, validation: null, test, schema, seed: 3, validationFraction: 0.25);

        Assert.Equal(300, parts.Train.Count);
        Assert.Equal(100, parts.Validation.Count);
        Assert.Equal(40, parts.Test.Count);
        var trainRows = DataSplit.Shuffled(400, seed: 3, 0.75, 0.25).Train;
        var fittedOnTrainRows = TabularEncoder.Fit(train, schema, trainRows);
        Assert.Equal(fittedOnTrainRows.Preprocessing.Numeric, parts.Encoder.Preprocessing.Numeric);
        Assert.DoesNotContain("Never-seen", parts.Encoder.Preprocessing.Categorical[0].Levels);
        // Row 2 of the test file has work class "Never-seen": the unknown slot 0.
        Assert.Equal(0, parts.Test.Categorical[2 * parts.Test.CategoricalCount]);

        var tooFew = RawTable.Load(AdultLikeCsv.Write(PathOf("three.csv"), AdultLikeCsv.Rows(3)), CsvOptions.Default);
        var e = Assert.Throws<ArgumentException>(() => TabularSplit.FromFiles(tooFew, null, test, schema, seed: 1, validationFraction: 0.1));
        Assert.Contains("leaves 3 training and 0 validation rows", e.Message);
    }

    [Fact]
    public void Snr_train_takes_files_by_role_and_eval_scores_the_test_file_by_default()
    {
        string train = AdultLikeCsv.Write(PathOf("train.csv"), AdultLikeCsv.Rows());
        string test = AdultLikeCsv.Write(PathOf("test.csv"), AdultLikeCsv.Rows(2000).Skip(1000).Take(120).Select(r => "9" + r));
        string model = PathOf("model");
        var (code, output, error) = Run("train", "--train", train, "--test", test, "--task", "income:income:>50K", "--epochs", "1", "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains("360 training, 40 validation, 120 test rows", output);

        var (evalCode, evalOutput, evalError) = Run("eval", "--model", model);
        Assert.True(evalCode == 0, evalError);
        Assert.Contains("test.csv, 120 rows", System.Text.RegularExpressions.Regex.Replace(evalOutput, @"\s+", " "));
        // The training file itself: every row was trained or validated on.
        var (ownCode, _, ownError) = Run("eval", "--model", model, "--data", train);
        Assert.Equal(1, ownCode);
        Assert.Contains("nothing left to evaluate", ownError);

        string validation = AdultLikeCsv.Write(PathOf("validation.csv"), AdultLikeCsv.Rows(60));
        var (withValidation, validationOutput, validationError) = Run("train", "--train", train, "--validation", validation, "--test", test,
            "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("model2"));
        Assert.True(withValidation == 0, validationError);
        Assert.Contains("400 training, 60 validation, 120 test rows", validationOutput);

        Assert.Contains("--train needs --test", Run("train", "--train", train, "--task", "income:income:>50K", "--out", PathOf("m3")).Error);
        Assert.Contains("go with --train", Run("train", "--test", test, "--out", PathOf("m4")).Error);
        Assert.Contains("not both", Run("train", "--data", train, "--train", train, "--test", test, "--task", "income:income:>50K", "--out", PathOf("m5")).Error);
    }
}

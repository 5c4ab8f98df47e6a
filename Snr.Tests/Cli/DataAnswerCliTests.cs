using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Cli;

/// <summary>
/// Issue 12, the data half: cases that used to give a wrong answer with exit code 0. Each test
/// trains on a 400-row Adult-like file for one epoch (about a second) and checks that the
/// command now refuses, warns or excludes, in words a user can act on.
/// </summary>
public sealed class DataAnswerCliTests() : TempFolderTests("snr-data-")
{
    // Spectre wraps a long table title over lines: compare with runs of white space made one space.
    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private string Train(string data, params string[] extra)
    {
        string model = PathOf("model-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _, error) = Run(["train", "--data", data, "--task", "income:income:>50K", "--epochs", "1", "--out", model, .. extra]);
        Assert.True(code == 0, error);
        return model;
    }

    [Fact]
    public void Eval_finds_the_test_split_whatever_the_path_spelling_and_excludes_training_rows_of_other_files()
    {
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), AdultLikeCsv.Rows());
        string model = Train(data);
        // 400 rows: 280 training, 40 validation, 80 test. Another spelling of the same path, and a copy under another name.
        string otherSpelling = Path.Combine(Folder, ".", "..", Path.GetFileName(Folder), "adult.csv");
        File.Copy(data, PathOf("copy.csv"));
        foreach (string spelling in new[] { otherSpelling, PathOf("copy.csv") })
        {
            var (code, output, error) = Run("eval", "--model", model, "--data", spelling);
            Assert.True(code == 0, error);
            Assert.Contains("test split, 80 of 400 rows", Flat(output));
            Assert.Contains(", 80 rows", Flat(output));
        }
        // A file with the first 100 rows of the training file and 50 new ones: the rows the model saw are left out, and it says so.
        var fresh = AdultLikeCsv.Rows(2000).Skip(1000).Take(50).Select(r => "9" + r); // ages 9xx: never in the training file
        AdultLikeCsv.Write(PathOf("mixed.csv"), AdultLikeCsv.Rows().Take(100).Concat(fresh));
        var (mixedCode, mixedOutput, mixedError) = Run("eval", "--model", model, "--data", PathOf("mixed.csv"));
        Assert.True(mixedCode == 0, mixedError);
        int seen = int.Parse(System.Text.RegularExpressions.Regex.Match(mixedOutput + mixedError, @"(\d+) of 150 rows").Groups[1].Value);
        Assert.InRange(seen, 60, 100);   // the training and validation rows among the first 100, and rows equal to one of them
        Assert.Contains($", {150 - seen} rows", Flat(mixedOutput));
    }

    [Fact]
    public void A_positive_label_that_never_occurs_is_refused_with_the_values_and_the_near_miss()
    {
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), AdultLikeCsv.Rows());
        var (code, _, error) = Run("train", "--data", data, "--task", "income:income:>50k", "--epochs", "1", "--out", PathOf("m1"));
        AssertUserError(code, error, "'>50k'");
        Assert.Contains("'>50K'", error);       // the value that does occur, offered as the near miss
        Assert.Contains("'<=50K'", error);
        Assert.False(Directory.Exists(PathOf("m1")));

        string dotted = AdultLikeCsv.Write(PathOf("adult-test.csv"), AdultLikeCsv.Rows().Select(r => r + "."));
        (code, _, error) = Run("train", "--data", dotted, "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m2"));
        AssertUserError(code, error, "'>50K.'");
        Assert.Contains("trailing '.'", error);

        (code, _, error) = Run("train", "--data", data, "--task", "inc:income:", "--epochs", "1", "--out", PathOf("m3"));
        AssertUserError(code, error, "inc");

        // eval on a file whose labels are all values the model never saw (the raw adult.test spelling)
        string model = Train(data);
        (code, _, error) = Run("eval", "--model", model, "--data", dotted);
        AssertUserError(code, error, "'>50K.'");
        Assert.Contains("trailing '.'", error);
    }

    [Fact]
    public void A_bad_value_in_a_numeric_column_is_named_and_column_kinds_can_be_declared()
    {
        var rows = AdultLikeCsv.Rows();
        rows[5] = "1e400" + rows[5][rows[5].IndexOf(',')..];   // line 7 of the file
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), rows);
        var (code, output, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m1"));
        Assert.True(code == 0, error);
        Assert.Contains("age: Categorical", output);
        Assert.Contains("'1e400'", output);
        Assert.Contains("adult.csv:7:1", output);
        Assert.Contains("more than 20 distinct values", output);

        // Declared numeric: the bad value is an error at its place.
        (code, _, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--numeric", "age", "--epochs", "1", "--out", PathOf("m2"));
        AssertUserError(code, error, "adult.csv:7:1");
        Assert.Contains("1e400", error);

        // Declared categorical, the distinct-value rule changed, and a schema file.
        string clean = AdultLikeCsv.Write(PathOf("clean.csv"), AdultLikeCsv.Rows());
        (code, output, error) = Run("train", "--data", clean, "--task", "income:income:>50K", "--categorical", "hours", "--max-categorical-levels", "55",
            "--epochs", "1", "--out", PathOf("m3"));
        Assert.True(code == 0, error);
        Assert.Contains("hours: Categorical", output);   // declared
        Assert.Contains("age: Numeric", output);         // 60 distinct values > 55
        File.WriteAllText(PathOf("schema.txt"), "# column kinds\nage: categorical\nhours: ignored\n");
        (code, output, error) = Run("train", "--data", clean, "--task", "income:income:>50K", "--schema", PathOf("schema.txt"), "--epochs", "1", "--out", PathOf("m4"));
        Assert.True(code == 0, error);
        Assert.Contains("age: Categorical", output);
        Assert.Contains("hours: Ignored", output);
    }

    [Fact]
    public void Semicolon_and_tab_files_read_with_delimiter_and_a_wrong_delimiter_is_named()
    {
        string semicolons = AdultLikeCsv.Write(PathOf("semi.csv"), AdultLikeCsv.Rows().Select(r => r.Replace(',', ';')), AdultLikeCsv.Header.Replace(',', ';'));
        var (code, _, error) = Run("train", "--data", semicolons, "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m1"));
        AssertUserError(code, error, "--delimiter");
        Assert.Contains("';'", error);
        (code, _, error) = Run("train", "--data", semicolons, "--delimiter", ";", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m2"));
        Assert.True(code == 0, error);

        string tabs = AdultLikeCsv.Write(PathOf("tabs.tsv"), AdultLikeCsv.Rows().Select(r => r.Replace(',', '\t')), AdultLikeCsv.Header.Replace(',', '\t'));
        (code, _, error) = Run("train", "--data", tabs, "--delimiter", "tab", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m3"));
        Assert.True(code == 0, error);
        (code, var output, error) = Run("eval", "--model", PathOf("m3"), "--data", tabs, "--delimiter", "tab");
        Assert.True(code == 0, error);
        Assert.Contains(", 80 rows", Flat(output));
        (code, output, error) = Run("predict", "--model", PathOf("m3"), "--input", tabs, "--delimiter", "tab");
        Assert.True(code == 0, error);
        Assert.Equal(1 + AdultLikeCsv.Rows().Count(), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void A_model_saved_from_csharp_is_evaluated_on_its_census_test_split()
    {
        var table = Snr.Datasets.CensusIncome.Load();
        var split = Snr.Core.Tabular.TabularSplit.Create(table, Snr.Datasets.CensusIncome.Schema(1), seed: 3);
        var model = Snr.Core.Models.ModelFactory.Create(Snr.Core.Models.DefaultModels.Create("shared-bottom", split.Train.NumericCount,
            split.Encoder.EmbeddingConfig(), [new("income"), new("never_married")], seed: 1));
        Snr.Core.Checkpoints.ModelCheckpoint.Save(PathOf("csharp"), model, split.Encoder.Preprocessing);   // no provenance: C# never passed one
        var (code, output, error) = Run("eval", "--model", PathOf("csharp"), "--data", "census");
        Assert.True(code == 0, error);
        Assert.Contains("test split", output);
        Assert.Contains($", {split.Test.Count:N0} rows", Flat(output));
    }

    [Fact]
    public void A_model_that_records_no_training_data_says_so_when_evaluated()
    {
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), AdultLikeCsv.Rows());
        var table = Snr.Core.Tabular.RawTable.Load(data, Snr.Core.Tabular.CsvOptions.Default);
        var split = Snr.Core.Tabular.TabularSplit.Create(table, Snr.Core.Tabular.TabularSchema.Infer(table,
            [new("income", "income", Snr.Core.Models.TaskKind.Binary, [">50K"])]), seed: 1);
        var model = Snr.Core.Models.ModelFactory.Create(Snr.Core.Models.DefaultModels.Create("shared-bottom", split.Train.NumericCount,
            split.Encoder.EmbeddingConfig(), [new("income")], seed: 1));
        // As a checkpoint written before the training data was recorded.
        Snr.Core.Checkpoints.ModelCheckpoint.Save(PathOf("old"), model, split.Encoder.Preprocessing with { TrainingData = null });
        var (code, output, error) = Run("eval", "--model", PathOf("old"), "--data", data);
        Assert.True(code == 0, error);
        Assert.Contains("does not record which rows it was trained on", Flat(output));
        Assert.Contains(", 400 rows", Flat(output));
    }
}

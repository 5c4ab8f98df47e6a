using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Cli;

/// <summary>
/// No silent wrong answers from the command line (issue 12, items 6–11): mistakes in options,
/// outputs and data sizes are refused with one line and exit code 1 before any work is done,
/// and an interrupted run says what it kept.
/// </summary>
public sealed class CliAnswersTests() : TempFolderTests("snr-cli-answers-")
{
    // A small CSV with a binary and a regression task; rows × 3 columns of inputs.
    private string SmallCsv(string name, int rows)
    {
        var lines = new List<string> { "x,y,color,clicked,spend" };
        for (int i = 0; i < rows; i++)
            lines.Add($"{i % 7},{(i * 13) % 11},{(i % 3 == 0 ? "red" : "blue")},{(i % 7 > 3 ? "yes" : "no")},{i % 5}");
        File.WriteAllLines(PathOf(name), lines);
        return PathOf(name);
    }

    private static string[] TrainArgs(string csv, string output, params string[] more) =>
        ["train", "--data", csv, "--task", "click:clicked:yes", "--task", "spend:spend", "--epochs", "1", "--out", output, .. more];

    private static void AssertOneLineError(int code, string error, string expected)
    {
        AssertUserError(code, error, expected);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", error);
    }

    // Item 6: every spelling of the input path (relative parts, a symbolic link, a hard link) is refused as --output.
    [Fact]
    public void Predict_refuses_to_write_its_scores_over_its_input()
    {
        string csv = SmallCsv("rows.csv", 300);
        var (code, _, error) = Run(TrainArgs(csv, PathOf("model")));
        Assert.True(code == 0, error);
        byte[] before = File.ReadAllBytes(csv);
        Directory.CreateDirectory(PathOf("sub"));
        File.CreateSymbolicLink(PathOf("link.csv"), csv);
        foreach (string spelling in new[] { csv, PathOf("sub/../rows.csv"), PathOf("./rows.csv"), PathOf("link.csv") })
        {
            (code, _, error) = Run("predict", "--model", PathOf("model"), "--input", csv, "--output", spelling);
            AssertOneLineError(code, error, "is the input file");
            Assert.Equal(before, File.ReadAllBytes(csv));
        }
        (code, _, error) = Run("predict", "--model", PathOf("model"), "--input", PathOf("link.csv"), "--output", csv);
        AssertOneLineError(code, error, "is the input file");
        Assert.Equal(before, File.ReadAllBytes(csv));
    }

    // Item 7: unparseable, out-of-range and negative numbers in every command's options; then missing files and folders, and options
    // that do not go together.
    [Theory]
    [InlineData("train --epochs abc", "--epochs")]
    [InlineData("train --epochs 99999999999", "--epochs")]
    [InlineData("train --epochs -3", "--epochs")]
    [InlineData("train --batch-size 1e3", "--batch-size")]
    [InlineData("train --batch-size 0", "--batch-size")]
    [InlineData("train --lr abc", "--lr")]
    [InlineData("train --lr -0.1", "--lr")]
    [InlineData("train --lr 1e400", "--lr")]
    [InlineData("train --lr NaN", "--lr")]
    [InlineData("train --l0 abc", "--l0")]
    [InlineData("train --l0 -1", "--l0")]
    [InlineData("train --seed abc", "--seed")]
    [InlineData("train --seed -1", "--seed")]
    [InlineData("train --seed 99999999999999999999999", "--seed")]
    [InlineData("train --patience 0", "--patience")]
    [InlineData("train --patience x", "--patience")]
    [InlineData("train --clip-norm -1", "--clip-norm")]
    [InlineData("train --clip-norm abc", "--clip-norm")]
    [InlineData("compare --seeds 99999999999", "--seeds")]
    [InlineData("compare --seeds abc", "--seeds")]
    [InlineData("compare --seeds -2", "--seeds")]
    [InlineData("compare --epochs abc", "--epochs")]
    [InlineData("train --epochs", "--epochs")]
    [InlineData("train --frobnicate 3", "--frobnicate")]
    [InlineData("train --model bert", "--model must be one of snr-trans, snr-aver, mmoe, shared-bottom, single-task; got 'bert'.")]
    [InlineData("export --model m --out m.onnx --inputs text", "--inputs must be one of encoded, raw; got 'text'.")]
    [InlineData("eval", "--model")]
    [InlineData("train --data nope.csv", "There is no data file 'nope.csv'")]
    [InlineData("train --epochs 0", "--epochs must be a whole number from 1")]
    [InlineData("train --data synthetic --task a:b", "--task applies to CSV files only")]
    [InlineData("eval --model /definitely/not/here", "There is no model folder")]
    [InlineData("predict --model /definitely/not/here --input x.csv", "There is no model folder")]
    public void Every_bad_option_is_one_line_and_exit_code_1(string commandLine, string expected)
    {
        var (code, output, error) = Run(commandLine.Split(' '));
        AssertOneLineError(code, error, expected);
        Assert.DoesNotContain("epoch 1/", output); // refused before any work
    }

    // Item 8: too few rows for the 70/10/20 split is an error naming what each part needs; the Trainer refuses empty data.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void Too_few_rows_for_the_split_is_a_clear_error(int rows)
    {
        string csv = SmallCsv("tiny.csv", rows);
        var (code, output, error) = Run(TrainArgs(csv, PathOf("tiny")));
        AssertOneLineError(code, error, $"{rows} row");
        Assert.Contains("at least 10 rows", error);
        Assert.Contains("each part needs at least 1 row", error);
        Assert.DoesNotContain("epoch 1/", output);
        Assert.False(File.Exists(PathOf("tiny/model.safetensors")));
    }

    // Item 9: an --out that cannot hold a model is refused before training.
    [Fact]
    public void An_unusable_out_is_refused_before_training()
    {
        string csv = SmallCsv("rows.csv", 300);
        File.WriteAllText(PathOf("a-file"), "precious");
        var (code, output, error) = Run(TrainArgs(csv, PathOf("a-file")));
        AssertOneLineError(code, error, "a-file");
        Assert.DoesNotContain("epoch 1/", output);
        Assert.Equal("precious", File.ReadAllText(PathOf("a-file")));

        (code, output, error) = Run(TrainArgs(csv, PathOf("a-file/model")));
        AssertOneLineError(code, error, "a-file/model");
        Assert.DoesNotContain("epoch 1/", output);

        Directory.CreateDirectory(PathOf("model-dir"));
        (code, _, error) = Run(TrainArgs(csv, PathOf("model")));
        Assert.True(code == 0, error);
        (code, _, error) = Run("predict", "--model", PathOf("model"), "--input", csv, "--output", PathOf("model-dir"));
        AssertOneLineError(code, error, "is a folder");
    }

    // Item 10: a save through the CLI leaves config.json equal to the document inside the weights, and removes stale temporaries.
    [Fact]
    public void A_saved_folder_is_consistent_and_stale_temporaries_are_removed()
    {
        string csv = SmallCsv("rows.csv", 300);
        Directory.CreateDirectory(PathOf("model"));
        string stale = PathOf($"model/.{ModelCheckpoint.WeightsFile}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "left by a killed save");
        File.WriteAllText(PathOf("model/config.json"), "{ \"from\": \"another model\" }");
        var (code, _, error) = Run(TrainArgs(csv, PathOf("model")));
        Assert.True(code == 0, error);
        Assert.False(File.Exists(stale));
        var (_, document) = ModelCheckpoint.LoadWithDocument(PathOf("model"));
        Assert.Equal(ModelCheckpoint.ConfigJson(document), File.ReadAllText(PathOf("model/config.json")));
    }

    // Item 11: an interrupted run keeps and saves the last completed epoch, and says so.
    [Fact]
    public void An_interrupted_train_saves_the_last_completed_epoch_and_says_so()
    {
        string csv = SmallCsv("rows.csv", 300);
        using var interrupt = new CancellationTokenSource();
        var output = new InterruptingWriter("epoch 2/", interrupt);
        var error = new StringWriter();
        string[] args = ["train", "--data", csv, "--task", "click:clicked:yes", "--task", "spend:spend", "--epochs", "5", "--out", PathOf("model")];
        int code = SnrCli.Run(args, output, error, interactive: false, interrupt.Token);
        Assert.True(code == SnrCli.InterruptedCode, error.ToString());
        string text = output.ToString();
        Assert.DoesNotContain("epoch 3/", text);
        Assert.Contains("Interrupted during epoch 3: keeping epoch 2, the last completed epoch", text);
        Assert.True(File.Exists(PathOf("model/model.safetensors")));
    }

    [Fact]
    public void Early_stopping_clipping_and_skipping_are_options_and_the_kept_epoch_is_named()
    {
        string csv = SmallCsv("rows.csv", 300);
        var (code, output, error) = Run("train", "--data", csv, "--task", "click:clicked:yes", "--task", "spend:spend", "--epochs", "3", "--out", PathOf("model"),
            "--patience", "1", "--watch", "spend", "--clip-norm", "1", "--skip-non-finite");
        Assert.True(code == 0, error);
        Assert.Matches(@"Keeping epoch \d, the best validation spend loss", output);

        (code, output, error) = Run(TrainArgs(csv, PathOf("model2")));
        Assert.True(code == 0, error);
        Assert.Contains("Keeping epoch 1, the last epoch", output);

        (code, _, error) = Run(TrainArgs(csv, PathOf("model3"), "--patience", "2", "--watch", "nope"));
        AssertOneLineError(code, error, "nope");
    }

    [Fact]
    public void Predict_writes_a_key_column_and_plain_decimals()
    {
        string csv = SmallCsv("rows.csv", 300);
        var (code, _, error) = Run(TrainArgs(csv, PathOf("model")));
        Assert.True(code == 0, error);
        (code, var output, error) = Run("predict", "--model", PathOf("model"), "--input", csv);
        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("row,click,spend", lines[0]);
        Assert.Equal(301, lines.Length);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines[1..].Select(l => l.Split(',')[0]));
        Assert.DoesNotContain(lines[1..], l => l.Contains('E', StringComparison.OrdinalIgnoreCase));
        (code, output, error) = Run("predict", "--model", PathOf("model"), "--input", csv, "--key", "color");
        Assert.True(code == 0, error);
        Assert.StartsWith("color,click,spend\nred,", output.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal("0.00001", PredictCommand.PlainDecimal(1e-5f));
        Assert.Equal("0.1234567", PredictCommand.PlainDecimal(0.12345671f));
    }

    [Fact]
    public void Compare_prints_the_schema_once()
    {
        string csv = SmallCsv("rows.csv", 300);
        var (code, output, error) = Run("compare", "--data", csv, "--task", "click:clicked:yes", "--seeds", "2", "--epochs", "1");
        Assert.True(code == 0, error);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "Schema of"));
    }

    /// <summary>Writes like a StringWriter and requests cancellation once <paramref name="trigger"/> has been written (as a user pressing Ctrl-C).</summary>
    private sealed class InterruptingWriter(string trigger, CancellationTokenSource interrupt) : StringWriter
    {
        public override void Write(char value)
        {
            base.Write(value);
            CancelOnTrigger();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            CancelOnTrigger();
        }

        private void CancelOnTrigger()
        {
            if (!interrupt.IsCancellationRequested && ToString().Contains(trigger, StringComparison.Ordinal)) interrupt.Cancel();
        }
    }
}

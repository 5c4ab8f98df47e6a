using System.Text.RegularExpressions;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.DataWorkflows;

/// <summary>Issue 16, streaming on the command line: <c>snr train --stream</c> with --data and with files by role.</summary>
public sealed class StreamingCliTests() : TempFolderTests("snr-stream-cli-")
{
    [Fact]
    public void Train_stream_splits_by_row_hash_and_eval_finds_the_test_rows()
    {
        string data = AdultLikeCsv.Write(PathOf("adult.csv"), AdultLikeCsv.Rows(2000));
        string model = PathOf("model");
        var (code, output, error) = Run("train", "--data", data, "--stream", "--shuffle-buffer", "300", "--task", "income:income:>50K", "--epochs", "2", "--model", "mmoe", "--out", model);
        Assert.True(code == 0, error);
        var counts = Regex.Match(output, @"([\d,]+) training, ([\d,]+) validation, ([\d,]+) test rows \(training rows streamed from disk, shuffled 300 at a time\)");
        Assert.True(counts.Success, output);
        int test = int.Parse(counts.Groups[3].Value.Replace(",", ""));
        Assert.InRange(test, 300, 500);
        Assert.Contains("age: Numeric", output);
        Assert.Contains("epoch 2/2", output);

        // eval on the same file leaves out every row the model trained or validated on: the test rows remain.
        var (evalCode, evalOutput, evalError) = Run("eval", "--model", model, "--data", data);
        Assert.True(evalCode == 0, evalError);
        Assert.Contains($"{2000 - test:N0} of 2,000 rows of {data} are rows this model was trained or validated on", Regex.Replace(evalOutput, @"\s+", " "));
    }

    [Fact]
    public void Train_stream_takes_files_by_role()
    {
        string train = AdultLikeCsv.Write(PathOf("train.csv"), AdultLikeCsv.Rows(1000));
        string validation = AdultLikeCsv.Write(PathOf("validation.csv"), AdultLikeCsv.Rows(1200).Skip(1000));
        string test = AdultLikeCsv.Write(PathOf("test.csv"), AdultLikeCsv.Rows(1500).Skip(1200));
        var (code, output, error) = Run("train", "--train", train, "--validation", validation, "--test", test, "--stream", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m1"));
        Assert.True(code == 0, error);
        Assert.Contains("1,000 training, 200 validation, 300 test rows (training rows streamed", output);

        var (noValidation, noValidationOutput, noValidationError) = Run("train", "--train", train, "--test", test, "--stream", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m2"));
        Assert.True(noValidation == 0, noValidationError);
        var counts = Regex.Match(noValidationOutput, @"([\d,]+) training, ([\d,]+) validation, 300 test rows");
        Assert.True(counts.Success, noValidationOutput);
        Assert.Equal(1000, int.Parse(counts.Groups[1].Value.Replace(",", "")) + int.Parse(counts.Groups[2].Value.Replace(",", "")));

        Assert.Contains("--shuffle-buffer goes with --stream", Run("train", "--data", train, "--shuffle-buffer", "10", "--task", "income:income:>50K", "--out", PathOf("m3")).Error);
        Assert.Contains("built in", Run("train", "--data", "census", "--stream", "--out", PathOf("m4")).Error);
    }

    [Fact]
    public void A_malformed_row_mid_file_is_refused_before_training_with_its_place()
    {
        var rows = AdultLikeCsv.Rows(3000);
        rows[1700] += ",extra";
        string data = AdultLikeCsv.Write(PathOf("bad.csv"), rows);
        var (code, _, error) = Run("train", "--data", data, "--stream", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m"));
        Assert.Equal(1, code);
        Assert.Contains($"{data}:1702:0: expected 5 fields but found 6", error);

        rows = AdultLikeCsv.Rows(3000);
        rows[2100] = "4x" + rows[2100];
        string declared = AdultLikeCsv.Write(PathOf("declared.csv"), rows);
        (code, _, error) = Run("train", "--data", declared, "--stream", "--numeric", "age", "--task", "income:income:>50K", "--epochs", "1", "--out", PathOf("m2"));
        Assert.Equal(1, code);
        Assert.Contains($"{declared}:2102:1: column 'age': '4x", error);
        Assert.False(Directory.Exists(PathOf("m2")) && Directory.EnumerateFiles(PathOf("m2")).Any());
    }
}

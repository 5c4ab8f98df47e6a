using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Onnx;

/// <summary><c>snr export</c>: a file ONNX Runtime scores like the model, and clear errors for a bad folder or path.</summary>
[Collection(OnnxCensusCollection.Name)]
public sealed class ExportCommandTests(OnnxCensusFixture census)
{
    [Fact]
    public void Export_writes_a_file_onnx_runtime_scores_like_the_model()
    {
        string path = Path.Combine(census.Folder, "cli", "snr-trans.onnx");
        var (code, output, error) = Run("export", "--model", census.ModelFolder("snr-trans"), "--out", path, "--inputs", "raw");
        Assert.True(code == 0, error);
        Assert.Contains("FLOPs per row", output);
        Assert.Contains("outputs: income, never_married", output);
        var scores = OnnxScoring.ScoreRaw(path, census.RawRows, census.Tasks);
        var expected = census.SnrScores(census.Model("snr-trans"));
        for (int t = 0; t < expected.Length; t++) Support.TensorAssert.Close(expected[t], scores[t], 1e-5, $"task {t}");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void An_unknown_model_folder_is_a_clear_error()
    {
        string path = Path.Combine(census.Folder, "never-written.onnx");
        var (code, _, error) = Run("export", "--model", Path.Combine(census.Folder, "no-such-model"), "--out", path);
        AssertUserError(code, error, "There is no model folder");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_unwritable_path_is_a_clear_error()
    {
        // A path under a regular file cannot be created, even by root.
        string file = Path.Combine(census.Folder, "a-file");
        File.WriteAllText(file, "not a folder");
        var (code, _, error) = Run("export", "--model", census.ModelFolder("mmoe"), "--out", Path.Combine(file, "model.onnx"));
        AssertUserError(code, error, "Cannot write");
    }

    [Fact]
    public void An_unknown_input_form_is_refused()
    {
        var (code, _, error) = Run("export", "--model", census.ModelFolder("mmoe"), "--out", Path.Combine(census.Folder, "x.onnx"), "--inputs", "pixels");
        Assert.NotEqual(0, code);
        Assert.Contains("pixels", error);
    }
}

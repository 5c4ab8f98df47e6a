using Microsoft.ML.OnnxRuntime;
using Snr.Onnx;

namespace Snr.Tests.Onnx;

/// <summary>
/// Exported files scored by ONNX Runtime and ML.NET against the Snr predictor, on 1,000 Census
/// test rows, for every model kind, dense and with zero gates, in both input forms. A file that
/// ONNX Runtime refuses fails the test (InferenceSession throws).
/// </summary>
[Collection(OnnxCensusCollection.Name)]
public sealed class OnnxExportTests(OnnxCensusFixture census, Xunit.Abstractions.ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Variants => [.. OnnxCensusFixture.Variants];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Onnx_runtime_scores_encoded_inputs_as_the_predictor_does(string variant)
    {
        var model = census.Model(variant);
        string path = Export(model, OnnxInputForm.Encoded, variant);
        var scores = OnnxScoring.ScoreEncoded(path, census.Numeric, [.. census.Categorical.Select(c => (long)c)], census.Rows, census.Tasks);
        AssertClose(census.SnrScores(model), scores, $"{variant}, encoded");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Onnx_runtime_scores_raw_rows_as_the_predictor_does(string variant)
    {
        var model = census.Model(variant);
        string path = Export(model, OnnxInputForm.Raw, variant);
        var scores = OnnxScoring.ScoreRaw(path, census.RawRows, census.Tasks);
        AssertClose(census.SnrScores(model), scores, $"{variant}, raw");
    }

    [Fact]
    public void Raw_inputs_include_unseen_categories_and_missing_numbers()
    {
        // The raw parity above only means something if the rows exercise those paths.
        string categorical = census.Encoder.Preprocessing.Categorical[0].Name, numeric = census.Encoder.Preprocessing.Numeric[0].Name;
        Assert.Contains(census.RawRows, row => row[categorical] == OnnxCensusFixture.UnseenCategory);
        Assert.Contains(census.RawRows, row => row[numeric] == "?");
        Assert.Contains(census.RawRows, row => row[census.Encoder.Preprocessing.Numeric[^1].Name] == "");
        int unseen = census.RawRows.Select((row, r) => (row, r)).First(p => p.row[categorical] == OnnxCensusFixture.UnseenCategory).r;
        Assert.Equal(0, census.Categorical[unseen * census.Encoder.Cardinalities.Count]);
    }

    [Theory]
    [InlineData("snr-trans")]
    [InlineData("snr-aver")]
    [InlineData("mmoe")]
    [InlineData("shared-bottom")]
    [InlineData("single-task")]
    [InlineData("snr-trans zero-gates")]
    public void Ml_net_apply_onnx_model_scores_as_the_predictor_does(string variant)
    {
        var model = census.Model(variant);
        string path = Export(model, OnnxInputForm.Encoded, variant);
        int n = census.Encoder.NumericCount, c = census.Encoder.Cardinalities.Count;
        var rows = Enumerable.Range(0, census.Rows).Select(r => new OnnxScoring.EncodedRow
        {
            Numeric = census.Numeric.AsSpan(r * n, n).ToArray(),
            Categorical = [.. census.Categorical.AsSpan(r * c, c).ToArray().Select(v => (long)v)],
        }).ToArray();
        AssertClose(census.SnrScores(model), OnnxScoring.ScoreWithMlNet(path, rows, census.Tasks), $"{variant}, ML.NET");
    }

    [Theory]
    [InlineData("snr-trans zero-gates")]
    [InlineData("mmoe")]
    public void Ml_net_scores_raw_csv_rows_as_the_predictor_does(string variant)
    {
        var model = census.Model(variant);
        string path = Export(model, OnnxInputForm.Raw, variant);
        string csv = Path.Combine(census.Folder, $"rows-{Guid.NewGuid():N}.csv");
        var columns = census.RawRows[0].Keys.ToArray();
        File.WriteAllLines(csv, [string.Join(",", columns), .. census.RawRows.Select(row => string.Join(",", columns.Select(c => "\"" + row[c].Replace("\"", "\"\"") + "\"")))]);
        var scores = OnnxScoring.ScoreRawCsvWithMlNet(path, csv, columns, census.Encoder.Preprocessing, census.Tasks);
        AssertClose(census.SnrScores(model), scores, $"{variant}, ML.NET raw CSV");
    }

    [Theory]
    [InlineData("snr-trans")]
    [InlineData("snr-aver")]
    public void Zero_gates_shrink_the_exported_graph_to_the_predictors_cost(string kind)
    {
        var dense = OnnxExporter.Write(census.Model(kind), census.Encoder.Preprocessing, OnnxInputForm.Encoded, Stream.Null);
        var pruned = OnnxExporter.Write(census.Model($"{kind} zero-gates"), census.Encoder.Preprocessing, OnnxInputForm.Encoded, Stream.Null);
        Assert.Equal(Compile(census.Model(kind)).Summary.FlopsPerRow, dense.FlopsPerRow);
        Assert.Equal(Compile(census.Model($"{kind} zero-gates")).Summary.FlopsPerRow, pruned.FlopsPerRow);
        Assert.True(pruned.FlopsPerRow < dense.FlopsPerRow, $"FLOPs {pruned.FlopsPerRow} vs {dense.FlopsPerRow}");
        Assert.True(pruned.Bytes < dense.Bytes, $"bytes {pruned.Bytes} vs {dense.Bytes}");
    }

    [Fact]
    public void Zero_gates_remove_nodes_of_an_averaging_level()
    {
        // SNR-Aver: one weighted term per live connection. (An SNR-Trans output block is one product over
        // its live inputs whatever the gates, so there the weights and FLOPs shrink, not the node count.)
        var dense = OnnxExporter.Write(census.Model("snr-aver"), null, OnnxInputForm.Encoded, Stream.Null);
        var pruned = OnnxExporter.Write(census.Model("snr-aver zero-gates"), null, OnnxInputForm.Encoded, Stream.Null);
        Assert.True(pruned.NodeCount < dense.NodeCount, $"nodes {pruned.NodeCount} vs {dense.NodeCount}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Exported_flops_are_the_predictors_and_the_metadata_says_so(string variant)
    {
        var model = census.Model(variant);
        string path = Export(model, OnnxInputForm.Raw, variant);
        using var session = new InferenceSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        long flops = Compile(model).Summary.FlopsPerRow;
        Assert.Equal(flops.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[OnnxMetadata.ServingFlopsPerRow]);
        Assert.Equal(flops, OnnxExporter.Write(model, census.Encoder.Preprocessing, OnnxInputForm.Raw, Stream.Null).FlopsPerRow);
        Assert.Equal(variant.Split(' ')[0], metadata[OnnxMetadata.ModelKind]);
        Assert.Equal("raw", metadata[OnnxMetadata.Inputs]);
        Assert.Contains("\"name\":\"income\",\"kind\":\"binary\",\"output\":\"probability\"", metadata[OnnxMetadata.Tasks]);
        Assert.Contains("\"levels\"", metadata[OnnxMetadata.Preprocessing]);
        Assert.False(string.IsNullOrEmpty(metadata[OnnxMetadata.SnrVersion]));
        Assert.Equal(census.Tasks, session.OutputMetadata.Keys);
        Assert.Equal(census.Encoder.NumericCount + census.Encoder.Cardinalities.Count, session.InputMetadata.Count);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_file_holds_the_served_weights_once_and_little_else(string variant)
    {
        // Dense, every weight but the gates' log_alpha is served; each is one float32 in the file.
        var model = census.Model(variant);
        long weights = model.Parameters().Where(p => !p.Name.EndsWith("log_alpha", StringComparison.Ordinal)).Sum(p => (long)p.Tensor.Shape.Size);
        var encoded = OnnxExporter.Write(model, census.Encoder.Preprocessing, OnnxInputForm.Encoded, Stream.Null);
        var raw = OnnxExporter.Write(model, census.Encoder.Preprocessing, OnnxInputForm.Raw, Stream.Null);
        output.WriteLine($"{variant}: {weights} served-weight bound, encoded {encoded.Bytes} bytes, raw {raw.Bytes} bytes, {encoded.NodeCount}/{raw.NodeCount} nodes");
        Assert.True(encoded.Bytes <= 4 * weights + 64 * 1024, $"encoded {encoded.Bytes} bytes for {weights} weights");
        if (!variant.Contains("zero-gates")) Assert.True(encoded.Bytes >= 4 * weights, $"encoded {encoded.Bytes} bytes for {weights} weights");
        Assert.True(raw.Bytes > encoded.Bytes, "the raw form adds the vocabularies and statistics");
    }

    [Fact]
    public void A_needed_block_whose_gates_are_all_zero_is_its_activated_bias_as_in_the_models_forward()
    {
        // Task 1's routed block reads nothing: the model's forward gives relu(b) there, and so must the file.
        var model = Snr.Core.Checkpoints.ModelCheckpoint.Load(census.ModelFolder("snr-trans")).Model;
        var last = ((SnrModel)model).Levels[^1].Gate;
        last.LogAlpha.Data.Slice(1 * last.Inputs, last.Inputs).Fill(-100f); // every connection into task 1's block closed
        string path = Export(model, OnnxInputForm.Encoded, "snr-trans closed-block");
        var scores = OnnxScoring.ScoreEncoded(path, census.Numeric, [.. census.Categorical.Select(c => (long)c)], census.Rows, census.Tasks);
        var expected = Evaluator.Predict(model, EncodedDataset());
        AssertClose(expected, scores, "closed block vs model forward");
        Assert.Single(scores[1].Distinct()); // a constant block: task 1 no longer depends on the row
    }

    [Fact]
    public void Raw_export_of_a_model_without_schema_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Write(census.Model("mmoe"), null, OnnxInputForm.Raw, Stream.Null));
        Assert.Contains("encoded inputs", e.Message);
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_whole()
    {
        string path = Path.Combine(census.Folder, "kept.onnx");
        OnnxExporter.Save(census.Model("mmoe"), census.Encoder.Preprocessing, OnnxInputForm.Encoded, path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Save(census.Model("mmoe"), null, OnnxInputForm.Raw, path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(census.Folder, "*kept.onnx*"));
    }

    // The test rows in the layout the model's forward reads.
    private Snr.Core.Data.MultiTaskDataset EncodedDataset() =>
        new Snr.Core.Tabular.EncodedTable(census.Rows, census.Encoder.NumericCount, census.Numeric, census.Encoder.Cardinalities.Count, census.Categorical,
            [.. census.Tasks], [.. census.Tasks.Select(_ => new float[census.Rows])]).ToDataset();

    private string Export(MultiTaskModel model, OnnxInputForm inputs, string name)
    {
        string path = Path.Combine(census.Folder, $"{name.Replace(' ', '-')}.{inputs}.onnx");
        OnnxExporter.Save(model, census.Encoder.Preprocessing, inputs, path);
        return path;
    }

    private static Predictor Compile(MultiTaskModel model) => Predictor.Compile(model);

    // Within the tolerance everywhere; the largest difference goes to the test output (notes/onnx.md quotes it).
    private void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            TensorAssert.Close(expected[t], actual[t], Tolerance, $"{what}, task {t}");
        double largest = expected.Zip(actual).SelectMany(p => p.First.Zip(p.Second, (e, a) => Math.Abs((double)e - a))).Max();
        output.WriteLine($"{what}: largest difference {largest:G3} over {expected[0].Length} rows × {expected.Length} tasks");
    }
}

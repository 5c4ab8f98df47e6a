using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Snr.Tests.Onnx;

/// <summary>
/// Scoring an exported file outside Snr, with ONNX Runtime and with ML.NET: the code the README
/// shows. Each method returns, per task, one value per row.
/// </summary>
public static class OnnxScoring
{
    /// <summary>ONNX Runtime, encoded inputs: numeric [rows, n] standardised, categorical [rows, c] embedding rows.</summary>
    public static float[][] ScoreEncoded(string modelPath, float[] numeric, long[] categorical, int rows, IReadOnlyList<string> tasks)
    {
        using var session = new InferenceSession(modelPath);
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("numeric", new DenseTensor<float>(numeric, [rows, numeric.Length / rows])),
            NamedOnnxValue.CreateFromTensor("categorical", new DenseTensor<long>(categorical, [rows, categorical.Length / rows])),
        };
        using var results = session.Run(inputs);
        return [.. tasks.Select(task => results.Single(r => r.Name == task).AsEnumerable<float>().ToArray())];
    }

    /// <summary>ONNX Runtime, raw inputs: one [rows, 1] input per column, numbers as float (NaN when missing), categories as text.</summary>
    public static float[][] ScoreRaw(string modelPath, IReadOnlyList<IReadOnlyDictionary<string, string>> rows, IReadOnlyList<string> tasks)
    {
        using var session = new InferenceSession(modelPath);
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, metadata) in session.InputMetadata)
        {
            int[] shape = [rows.Count, 1];
            if (metadata.ElementDataType == TensorElementType.String)
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(rows.Select(row => row[name]).ToArray(), shape)));
            else
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(rows.Select(row => ParseNumber(row[name])).ToArray(), shape)));
        }
        using var results = session.Run(inputs);
        return [.. tasks.Select(task => results.Single(r => r.Name == task).AsEnumerable<float>().ToArray())];
    }

    /// <summary>A CSV field as a raw numeric input: "?" and the empty field are missing (NaN).</summary>
    public static float ParseNumber(string text) =>
        TabularSchema.IsMissing(text) ? float.NaN
        : TabularSchema.TryParseNumber(text, out float value) ? value
        : throw new FormatException($"'{text}' is not a number.");

    /// <summary>One row of encoded inputs for ML.NET (vector sizes set at run time through a schema definition).</summary>
    public sealed class EncodedRow
    {
        [ColumnName("numeric")] public float[] Numeric { get; set; } = [];
        [ColumnName("categorical")] public long[] Categorical { get; set; } = [];
    }

    /// <summary>ML.NET: ApplyOnnxModel in a pipeline over an IDataView of encoded rows.</summary>
    public static float[][] ScoreWithMlNet(string modelPath, IReadOnlyList<EncodedRow> rows, IReadOnlyList<string> tasks)
    {
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(EncodedRow));
        schema["numeric"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Numeric.Length);
        schema["categorical"].ColumnType = new VectorDataViewType(NumberDataViewType.Int64, rows[0].Categorical.Length);
        IDataView data = ml.Data.LoadFromEnumerable(rows, schema);

        var pipeline = ml.Transforms.ApplyOnnxModel(outputColumnNames: [.. tasks], inputColumnNames: ["numeric", "categorical"], modelFile: modelPath);
        using var model = pipeline.Fit(data);
        IDataView scored = model.Transform(data);
        return [.. tasks.Select(task => scored.GetColumn<float[]>(task).Select(values => values[0]).ToArray())];
    }

    /// <summary>
    /// ML.NET, raw inputs: the CSV file (with a header) read by a TextLoader with one column per schema input,
    /// numbers as Single ("?" and empty fields NaN), categories as text; then ApplyOnnxModel.
    /// </summary>
    public static float[][] ScoreRawCsvWithMlNet(string modelPath, string csvPath, string[] fileColumns, TabularPreprocessing preprocessing, IReadOnlyList<string> tasks)
    {
        var ml = new MLContext();
        var numeric = preprocessing.Numeric.Select(c => c.Name).ToHashSet();
        string[] inputs = [.. preprocessing.Numeric.Select(c => c.Name), .. preprocessing.Categorical.Select(c => c.Name)];
        var loader = new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
            Columns = [.. inputs.Select(name => new TextLoader.Column(name, numeric.Contains(name) ? DataKind.Single : DataKind.String, Array.IndexOf(fileColumns, name)))],
        };
        IDataView data = ml.Data.LoadFromTextFile(csvPath, loader);

        var pipeline = ml.Transforms.ApplyOnnxModel(outputColumnNames: [.. tasks], inputColumnNames: inputs, modelFile: modelPath);
        using var model = pipeline.Fit(data);
        IDataView scored = model.Transform(data);
        return [.. tasks.Select(task => scored.GetColumn<float[]>(task).Select(values => values[0]).ToArray())];
    }
}

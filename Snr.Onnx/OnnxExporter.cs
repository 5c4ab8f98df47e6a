using Google.Protobuf;
using Onnx;
using Snr.Core.Checkpoints;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Tabular;

namespace Snr.Onnx;

/// <summary>
/// Exports a trained model to an ONNX file that ONNX Runtime, ML.NET (<c>ApplyOnnxModel</c>) and
/// any other ONNX host can score. What is exported is the graph the Snr <see cref="Predictor"/>
/// runs: serving gates fixed and folded into the weights, connections with a zero gate and every
/// sub-network no task reaches dropped, so a row costs the same floating-point operations.
/// Outputs: one [N, 1] float tensor per task, named after it (a probability for a binary task,
/// a value for a regression task).
/// </summary>
/// <remarks>Operator sets: ai.onnx 17 and ai.onnx.ml 3 (whose <c>LabelEncoder</c>, version 2, maps strings to int64); IR version 8.</remarks>
public static class OnnxExporter
{
    /// <summary>The ai.onnx operator set the files use.</summary>
    public const int Opset = 17;

    /// <summary>The ai.onnx.ml operator set the files use (raw inputs only).</summary>
    public const int MlOpset = 3;

    /// <summary>The ONNX IR version of the files (the one that goes with opset 17).</summary>
    public const long IrVersion = 8;

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="destination"/>.</summary>
    /// <param name="model">The model (in any mode: the export uses the serving gates).</param>
    /// <param name="preprocessing">The schema and statistics it was trained with, or null for a model trained on ready features (then only <see cref="OnnxInputForm.Encoded"/> is possible).</param>
    /// <param name="inputs">The input form.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <exception cref="ArgumentException">Raw inputs without preprocessing, a preprocessing that does not fit the model, or a task named like an input column.</exception>
    public static OnnxExportSummary Write(MultiTaskModel model, TabularPreprocessing? preprocessing, OnnxInputForm inputs, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (proto, summary) = Build(model, preprocessing, inputs);
        proto.WriteTo(destination);
        return summary;
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/>, atomically (temporary file, flush, rename): a failed export leaves any previous file whole.</summary>
    /// <exception cref="ArgumentException">See <see cref="Write"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static OnnxExportSummary Save(MultiTaskModel model, TabularPreprocessing? preprocessing, OnnxInputForm inputs, string path)
    {
        var (proto, summary) = Build(model, preprocessing, inputs);
        AtomicFile.Write(path, proto.WriteTo);
        return summary;
    }

    private static (ModelProto, OnnxExportSummary) Build(MultiTaskModel model, TabularPreprocessing? preprocessing, OnnxInputForm inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        var predictor = Predictor.Compile(model);
        var onnx = new OnnxGraph();
        OnnxFeatures features;
        if (inputs == OnnxInputForm.Raw)
        {
            if (preprocessing is null)
                throw new ArgumentException("The model was trained on ready features and has no schema: export it with encoded inputs.", nameof(preprocessing));
            if (preprocessing.Numeric.Count != predictor.NumericInputs || preprocessing.Categorical.Count != predictor.CategoricalInputs)
                throw new ArgumentException($"The schema has {preprocessing.Numeric.Count} numeric and {preprocessing.Categorical.Count} categorical inputs; the model {predictor.NumericInputs} and {predictor.CategoricalInputs}.", nameof(preprocessing));
            features = OnnxRawInputs.Write(onnx, preprocessing);
        }
        else
        {
            features = OnnxEncodedInputs.Write(onnx, predictor.NumericInputs, predictor.CategoricalInputs);
        }
        OnnxNodeWriter.Write(predictor.Graph, onnx, features);

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Snr",
            ProducerVersion = OnnxMetadata.Version,
            Domain = "snr",
            DocString = "A Snr multi-task model's pruned serving graph: one output per task, named after it.",
            Graph = onnx.Proto,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
            MetadataProps = { OnnxMetadata.Of(model, preprocessing, inputs, predictor.Summary.FlopsPerRow) },
        };
        if (inputs == OnnxInputForm.Raw) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = MlOpset });
        var summary = new OnnxExportSummary(inputs, [.. onnx.Proto.Input.Select(i => i.Name)], [.. onnx.Proto.Output.Select(o => o.Name)],
            onnx.Proto.Node.Count, onnx.FlopsPerRow, proto.CalculateSize());
        return (proto, summary);
    }
}

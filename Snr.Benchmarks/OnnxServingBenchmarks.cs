using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Snr.Core.Serving;
using Snr.Onnx;

namespace Snr.Benchmarks;

/// <summary>
/// W5 beside ONNX Runtime: the canonical SNR-Trans (<see cref="CanonicalModels.SnrTrans"/>) served by Snr's
/// <see cref="Predictor"/> and by ONNX Runtime from the file <see cref="OnnxExporter"/> writes (encoded inputs),
/// in the same run: batch 1 and 256, one thread and two (<c>MaxThreads</c> / <c>IntraOpNumThreads</c>), dense and
/// with 75% of the routing gates at zero. Both engines write into buffers made once, so neither allocates its outputs per call.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*OnnxServing*'</c>.
/// </summary>
[Config(typeof(TrainingStepConfig))]
[MemoryDiagnoser]
public class OnnxServingBenchmarks
{
    private Predictor _predictor = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private readonly string[] _inputNames = ["numeric"];
    private string[] _outputNames = [];
    private float[] _features = [];
    private float[] _snrOutputs = [];
    private float[][] _onnxOutputs = [];

    [Params("dense", "zero_75")]
    public string Gates { get; set; } = "dense";

    [Params(1, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (var model, _predictor, _features) = CanonicalModels.Served(Gates, Batch, Threads);
        var file = new MemoryStream();
        var summary = OnnxExporter.Write(model, null, OnnxInputForm.Encoded, file);
        var options = new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(file.ToArray(), options);
        _runOptions = new RunOptions();

        _snrOutputs = new float[Batch * 2];
        _outputNames = [.. summary.OutputNames];
        _onnxOutputs = [.. _outputNames.Select(_ => new float[Batch])];
        _inputs = [OrtValue.CreateTensorValueFromMemory(_features, [Batch, CanonicalModels.Features])];
        _outputs = [.. _onnxOutputs.Select(o => OrtValue.CreateTensorValueFromMemory(o, [Batch, 1]))];
        Console.WriteLine($"// {Gates}: {summary.FlopsPerRow} FLOPs per row, {summary.NodeCount} ONNX nodes, {summary.Bytes} bytes");

        Snr();
        OnnxRuntime();
        for (int r = 0; r < Batch; r++)
            for (int t = 0; t < 2; t++)
                if (Math.Abs(_snrOutputs[r * 2 + t] - _onnxOutputs[t][r]) > 1e-4f)
                    throw new InvalidOperationException($"Row {r}, task {t}: Snr {_snrOutputs[r * 2 + t]}, ONNX Runtime {_onnxOutputs[t][r]}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Snr() => _predictor.Predict(_features, _snrOutputs);

    [Benchmark]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
}

using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Snr.Core.Checkpoints;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Tabular;
using Snr.Datasets;
using Snr.Hosting;

namespace Snr.Benchmarks;

/// <summary>
/// W9 of BENCHMARKS.md, the server's share: where the time of one prediction request goes for the
/// default Census SNR-Trans (the model <c>snr train</c> saves; untrained here, which costs the same),
/// at batch 1 and 64 — the predictor alone on encoded rows (the baseline), reading the JSON rows into
/// inputs, and the whole endpoint (read, encode, predict, write) on a fresh <see cref="DefaultHttpContext"/>,
/// whose allocation (the context and its stream adapters) Kestrel pools in a real server.
/// The load over HTTP is <c>snr loadtest</c>. Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*Hosting*'</c>.
/// </summary>
[Config(typeof(TrainingStepConfig))]
[MemoryDiagnoser]
public class HostingBenchmarks
{
    private string _folder = "";
    private byte[] _body = [];
    private LoadedModel _model = null!;
    private PredictEndpoint _endpoint = null!;
    private float[] _numeric = [], _scores = [];
    private int[] _categoricalCodes = [];

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var table = CensusIncome.Load();
        var schema = CensusIncome.Schema(1);
        var encoder = TabularEncoder.Fit(table, schema, Enumerable.Range(0, 20_000).ToArray());
        var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
        var model = ModelFactory.Create(DefaultModels.Create("snr-trans", encoder.NumericCount, encoder.EmbeddingConfig(), tasks, seed: 1));
        _folder = Directory.CreateTempSubdirectory("snr-hosting-bench-").FullName;
        ModelCheckpoint.Save(_folder, model, encoder.Preprocessing);

        var metrics = new SnrMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var registry = new ModelRegistry([new SnrModelRegistration("census", new SnrModelOptions { Directory = _folder })], metrics, NullLoggerFactory.Instance);
        registry.Models[0].Reload();
        _model = registry.Models[0].Current!;
        _endpoint = new PredictEndpoint(registry, metrics);

        var rows = Enumerable.Range(30_000, Batch)
            .Select(r => (IReadOnlyDictionary<string, object?>)table.ColumnNames.Select((name, c) => (name, value: (object?)table.Value(r, c))).ToDictionary(p => p.name, p => p.value))
            .ToArray();
        _body = JsonSerializer.SerializeToUtf8Bytes(new PredictRequest(rows), SnrHostingJsonContext.Default.PredictRequest);
        var buffers = RequestBuffers.Rent();
        PredictRequestReader.Read(new ReadOnlySequence<byte>(_body), _model.Inputs, Batch, buffers);
        _numeric = buffers.Numeric(Batch, _model.Inputs.NumericCount).ToArray();
        _categoricalCodes = buffers.Categorical(Batch, _model.Inputs.CategoricalCount).ToArray();
        buffers.Return();
        _scores = new float[Batch * _model.Predictor.Predictor.Tasks.Count];
        Console.WriteLine($"// body {_body.Length:N0} bytes, {_model.Predictor.Predictor.Summary.FlopsPerRow:N0} FLOPs per row");
        Endpoint();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public void Predict() => _model.Predictor.Predictor.Predict(_numeric, _categoricalCodes, _scores);

    [Benchmark]
    public int ReadRows()
    {
        var buffers = RequestBuffers.Rent();
        int rows = PredictRequestReader.Read(new ReadOnlySequence<byte>(_body), _model.Inputs, Batch, buffers);
        buffers.Return();
        return rows;
    }

    [Benchmark]
    public int Endpoint()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.RouteValues["name"] = "census";
        context.Request.ContentLength = _body.Length;
        context.Request.Body = new MemoryStream(_body, writable: false);
        context.Response.Body = Stream.Null;
        _endpoint.HandleAsync(context).GetAwaiter().GetResult();
        return context.Response.StatusCode == 200 ? 0 : throw new InvalidOperationException($"status {context.Response.StatusCode}");
    }
}

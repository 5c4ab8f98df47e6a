using System.IO.Compression;
using System.Text;
using Snr.Datasets;

namespace Snr.Tests.Hosting;

/// <summary>
/// Two small SNR-Trans models (seeds 1 and 2, one epoch each) on the first 300 rows of the embedded
/// Census-Income file, saved as checkpoints, plus 100 further rows to score. Shared by every
/// hosting test; each test serves its own copy of a checkpoint, so swaps do not interfere.
/// </summary>
public sealed class CensusModels : IDisposable
{
    private const int TrainRows = 300, ScoredRows = 100;
    private readonly string _root = Directory.CreateTempSubdirectory("snr-hosting-tests-").FullName;

    public CensusModels()
    {
        Table = FirstRows(TrainRows + ScoredRows);
        var schema = CensusIncome.Schema(1);
        var train = Enumerable.Range(0, TrainRows).ToArray();
        var encoder = TabularEncoder.Fit(Table, schema, train);
        Preprocessing = encoder.Preprocessing;
        var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
        var data = encoder.Encode(Table, train).ToDataset();
        ModelA = Train(encoder, tasks, data, seed: 1);
        ModelB = Train(encoder, tasks, data, seed: 2);
        FolderA = Path.Combine(_root, "a");
        FolderB = Path.Combine(_root, "b");
        ModelCheckpoint.Save(FolderA, ModelA, Preprocessing);
        ModelCheckpoint.Save(FolderB, ModelB, Preprocessing);
        PredictorA = TabularPredictor.Load(FolderA);
        PredictorB = TabularPredictor.Load(FolderB);
        Rows = Enumerable.Range(TrainRows, ScoredRows).Select(RowAt).ToArray();
    }

    /// <summary>The first 400 rows of the embedded Census-Income file.</summary>
    public RawTable Table { get; }

    public TabularPreprocessing Preprocessing { get; }

    public MultiTaskModel ModelA { get; }

    public MultiTaskModel ModelB { get; }

    /// <summary>The saved checkpoints: copy them with <see cref="NewFolder"/> before serving.</summary>
    public string FolderA { get; }

    public string FolderB { get; }

    /// <summary>The reference scores: the same checkpoints through <see cref="TabularPredictor"/>.</summary>
    public TabularPredictor PredictorA { get; }

    public TabularPredictor PredictorB { get; }

    /// <summary>The 100 rows after the training rows, every column as text (labels and the ignored weight included).</summary>
    public IReadOnlyList<Dictionary<string, object?>> Rows { get; }

    /// <summary>A fresh folder holding a copy of <paramref name="source"/>'s checkpoint (or nothing when null).</summary>
    public string NewFolder(string? source)
    {
        string folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (source is not null)
            foreach (string file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    /// <summary>The scores <paramref name="predictor"/> gives <paramref name="rows"/>, through a table read from CSV as <c>snr predict</c> reads one.</summary>
    public float[] Reference(TabularPredictor predictor, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var csv = new StringBuilder(string.Join(",", Table.ColumnNames)).Append('\n');
        foreach (var row in rows)
            csv.Append(string.Join(",", Table.ColumnNames.Select(c => "\"" + ((string?)row[c] ?? "").Replace("\"", "\"\"") + "\""))).Append('\n');
        return predictor.Score(RawTable.Load(new CsvReader(new StringReader(csv.ToString()), "rows", CsvOptions.Default), CsvOptions.Default));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Dictionary<string, object?> RowAt(int row) =>
        Table.ColumnNames.Select((name, c) => (name, value: (object?)Table.Value(row, c))).ToDictionary(p => p.name, p => p.value);

    private static MultiTaskModel Train(TabularEncoder encoder, TaskConfig[] tasks, MultiTaskDataset data, ulong seed)
    {
        var model = ModelFactory.Create(DefaultModels.Create("snr-trans", encoder.NumericCount, encoder.EmbeddingConfig(), tasks, seed));
        new Trainer(model, new TrainingConfig { Epochs = 1, BatchSize = 100, Seed = seed }).Fit(data);
        return model;
    }

    private static RawTable FirstRows(int count)
    {
        using var text = new StreamReader(new GZipStream(CensusIncome.OpenEmbedded(), CompressionMode.Decompress));
        var lines = new StringBuilder();
        for (int i = 0; i < count; i++) lines.Append(text.ReadLine()).Append('\n');
        return RawTable.Load(new CsvReader(new StringReader(lines.ToString()), "census-income (first rows)", CensusIncome.Options), CensusIncome.Options, CensusIncome.ColumnNames);
    }
}

[CollectionDefinition(Name)]
public sealed class HostingCollection : ICollectionFixture<CensusModels>
{
    public const string Name = "hosting";
}

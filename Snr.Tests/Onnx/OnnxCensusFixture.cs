using Snr.Core.Routing;
using Snr.Datasets;

namespace Snr.Tests.Onnx;

/// <summary>
/// Census-Income (task group 1) for the ONNX tests, made once per test class: the encoder fitted
/// on the training split, a tiny model of every kind (one epoch on 3,000 training rows), the SNR
/// kinds also with some gates forced to zero, and 1,000 test rows both raw (texts, with unseen
/// categories and missing numbers put in) and encoded.
/// </summary>
public sealed class OnnxCensusFixture : IDisposable
{
    /// <summary>The model variants: every kind, and the SNR kinds with zero gates.</summary>
    public static readonly string[] Variants = [.. DefaultModels.Kinds, "snr-trans zero-gates", "snr-aver zero-gates"];

    /// <summary>A category no training row has.</summary>
    public const string UnseenCategory = "snr-never-seen";

    private readonly Dictionary<string, MultiTaskModel> _models = [];

    public OnnxCensusFixture()
    {
        var table = CensusIncome.Load();
        var schema = CensusIncome.Schema(1);
        var split = DataSplit.Shuffled(table.RowCount, seed: 1);
        Encoder = TabularEncoder.Fit(table, schema, split.Train);
        var train = Encoder.Encode(table, split.Train[..3000]).ToDataset();
        var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
        Folder = Directory.CreateTempSubdirectory("snr-onnx-").FullName;
        foreach (var kind in DefaultModels.Kinds)
        {
            var model = ModelFactory.Create(DefaultModels.Create(kind, train.NumericCount, Encoder.EmbeddingConfig(), tasks, seed: 3));
            new Trainer(model, new TrainingConfig { Epochs = 1, BatchSize = 256, Seed = 3 }).Fit(train);
            _models[kind] = model;
            ModelCheckpoint.Save(ModelFolder(kind), model, Encoder.Preprocessing);
            if (model is SnrModel)
                _models[$"{kind} zero-gates"] = WithZeroGates(ModelCheckpoint.Load(ModelFolder(kind)).Model, (0, 0), (1, 0), (1, 2));
        }

        // 1,000 test rows as texts by column; every 10th row gets an unseen category, others a missing number ("?" or empty).
        int[] testRows = split.Test[..1000];
        string firstCategorical = Encoder.Preprocessing.Categorical[0].Name, firstNumeric = Encoder.Preprocessing.Numeric[0].Name;
        RawRows = [.. testRows.Select((row, r) => table.ColumnNames.Select((name, c) => (name, c)).ToDictionary(p => p.name, p =>
            r % 10 == 3 && p.name == firstCategorical ? UnseenCategory
            : r % 10 == 5 && p.name == firstNumeric ? "?"
            : r % 10 == 7 && p.name == Encoder.Preprocessing.Numeric[^1].Name ? ""
            : r % 10 == 9 && p.name == Encoder.Preprocessing.Categorical[^1].Name ? ""
            : table.Value(row, p.c)))];
        Numeric = new float[RawRows.Count * Encoder.NumericCount];
        Categorical = new int[RawRows.Count * Encoder.Cardinalities.Count];
        for (int r = 0; r < RawRows.Count; r++)
            Encoder.EncodeRow(name => RawRows[r].GetValueOrDefault(name),
                Numeric.AsSpan(r * Encoder.NumericCount, Encoder.NumericCount), Categorical.AsSpan(r * Encoder.Cardinalities.Count, Encoder.Cardinalities.Count));
        Tasks = [.. tasks.Select(t => t.Name)];
    }

    /// <summary>The fitted schema, statistics and vocabularies.</summary>
    public TabularEncoder Encoder { get; }

    /// <summary>The test rows as texts by column name, as a CSV file holds them.</summary>
    public IReadOnlyList<Dictionary<string, string>> RawRows { get; }

    /// <summary>The test rows encoded by Snr: [rows, numeric inputs], standardised.</summary>
    public float[] Numeric { get; }

    /// <summary>The test rows encoded by Snr: [rows, categorical inputs], embedding rows.</summary>
    public int[] Categorical { get; }

    /// <summary>The task names, in output order.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>A temporary folder for checkpoints and exported files, removed at the end.</summary>
    public string Folder { get; }

    public int Rows => RawRows.Count;

    public MultiTaskModel Model(string variant) => _models[variant];

    /// <summary>The checkpoint folder of a trained kind.</summary>
    public string ModelFolder(string kind) => Path.Combine(Folder, kind);

    /// <summary>What the Snr predictor scores for the test rows: per task, one value per row.</summary>
    public float[][] SnrScores(MultiTaskModel model)
    {
        var predictor = Predictor.Compile(model);
        var outputs = new float[Rows * Tasks.Count];
        predictor.Predict(Numeric, Categorical, outputs);
        return [.. Enumerable.Range(0, Tasks.Count).Select(t => Enumerable.Range(0, Rows).Select(r => outputs[r * Tasks.Count + t]).ToArray())];
    }

    /// <summary>Forces the serving gates (output, input) of the first routing level to zero through very negative log_alpha.</summary>
    public static MultiTaskModel WithZeroGates(MultiTaskModel model, params (int Output, int Input)[] connections)
    {
        var gate = ((SnrModel)model).Levels[0].Gate;
        foreach (var (i, j) in connections) gate.LogAlpha.Data[i * gate.Inputs + j] = -100f;
        return model;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>The ONNX test classes share one <see cref="OnnxCensusFixture"/> (its models train once).</summary>
[CollectionDefinition(Name)]
public sealed class OnnxCensusCollection : ICollectionFixture<OnnxCensusFixture>
{
    public const string Name = "ONNX on Census-Income";
}

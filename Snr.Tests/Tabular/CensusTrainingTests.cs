using Snr.Datasets;

namespace Snr.Tests.Tabular;

/// <summary>
/// The default SNR-Trans on Census-Income, task group 1 (70/10/20 split of the bundled file),
/// trained once for the whole class: its test AUCs, and the saved model serving raw rows.
/// </summary>
public sealed class CensusTrainingTests : IClassFixture<CensusTrainingTests.Trained>
{
    public sealed class Trained : IDisposable
    {
        public Trained()
        {
            Table = CensusIncome.Load();
            Data = TabularSplit.Create(Table, CensusIncome.Schema(1), seed: 1);
            var tasks = CensusIncome.Schema(1).Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
            Model = ModelFactory.Create(DefaultModels.Create("snr-trans", Data.Train.NumericCount, Data.Encoder.EmbeddingConfig(), tasks, seed: 1));
            var config = new TrainingConfig { Epochs = 5, BatchSize = 256, Seed = 1, L0Lambda = 1e-4f, Optimizer = new OptimizerConfig { LearningRate = 2e-3f } };
            new Trainer(Model, config).Fit(Data.Train, Data.Validation);
            Test = Evaluator.Evaluate(Model, Data.Test);
            Folder = Directory.CreateTempSubdirectory("snr-census-").FullName;
            ModelCheckpoint.Save(Folder, Model, Data.Encoder.Preprocessing);
        }

        public RawTable Table { get; }
        public TabularSplit Data { get; }
        public MultiTaskModel Model { get; }
        public IReadOnlyList<TaskMetrics> Test { get; }
        public string Folder { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private readonly Trained _trained;

    public CensusTrainingTests(Trained trained) => _trained = trained;

    [Fact]
    public void Test_auc_reaches_the_papers_level()
    {
        // The MMoE paper reports 0.936–0.941 (income) and ≈ 0.992 (never married) on the full data.
        Assert.True(_trained.Test[0].Auc >= 0.93, $"income AUC {_trained.Test[0].Auc:F4}");
        Assert.True(_trained.Test[1].Auc >= 0.98, $"never-married AUC {_trained.Test[1].Auc:F4}");
    }

    [Fact]
    public void The_saved_model_scores_raw_rows_as_the_trained_model_does()
    {
        var predictor = TabularPredictor.Load(_trained.Folder);
        var split = DataSplit.Shuffled(_trained.Table.RowCount, seed: 1);
        var testRows = split.Test[..500];

        // Raw rows of the file → schema → predictor, against the in-memory model on the encoded rows.
        var raw = Subset(_trained.Table, testRows);
        var scores = predictor.Score(raw);
        var encoded = _trained.Data.Encoder.Encode(_trained.Table, testRows).ToDataset();
        var expected = Evaluator.Predict(_trained.Model, encoded);
        for (int t = 0; t < 2; t++)
            TensorAssert.Close(expected[t], [.. Enumerable.Range(0, testRows.Length).Select(r => scores[r * 2 + t])], 1e-5, $"task {t}");

        // One row given as a dictionary of texts scores the same (up to the rounding of a 1-row product).
        var row = _trained.Table.ColumnNames.Select((name, c) => (name, value: _trained.Table.Value(testRows[0], c))).ToDictionary(p => p.name, p => p.value);
        TensorAssert.Close(scores[..2], predictor.Score(row), 1e-5, "one row");
    }

    [Fact]
    public void Pruned_and_single_task_predictors_agree_with_the_full_one()
    {
        var full = TabularPredictor.Load(_trained.Folder);
        var income = TabularPredictor.Load(_trained.Folder, ["income"]);
        var raw = Subset(_trained.Table, DataSplit.Shuffled(_trained.Table.RowCount, seed: 1).Test[..200]);
        float[] all = full.Score(raw), one = income.Score(raw);
        Assert.Equal(Enumerable.Range(0, 200).Select(r => all[r * 2]), one);
        Assert.True(income.Predictor.Summary.FlopsPerRow < full.Predictor.Summary.FlopsPerRow);
    }

    // The rows of a table as a new table (through a CSV round trip, so the text path is exercised too).
    private static RawTable Subset(RawTable table, int[] rows)
    {
        string path = Path.Combine(Path.GetTempPath(), $"snr-census-rows-{Guid.NewGuid():N}.csv");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                writer.WriteLine(string.Join(",", table.ColumnNames.Select(Quote)));
                foreach (int r in rows)
                    writer.WriteLine(string.Join(",", Enumerable.Range(0, table.ColumnNames.Count).Select(c => Quote(table.Value(r, c)))));
            }
            return RawTable.Load(path, CsvOptions.Default);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";
}

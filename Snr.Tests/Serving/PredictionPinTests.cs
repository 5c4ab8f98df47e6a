using System.Security.Cryptography;
using System.Text.Json;
using Snr.Datasets;

namespace Snr.Tests.Serving;

/// <summary>
/// Pins the served predictions of every model kind, bit for bit, on the Census test split: each kind (with the
/// configuration the defaults had when the pins were taken) is trained for one epoch on 20,000 training rows,
/// compiled, and its predictions for the test rows hashed. A refactoring of the forward or serving paths must
/// leave these hashes unchanged; a deliberate numerical change regenerates them with SNR_UPDATE_PINS=1 and says
/// why in its commit.
/// </summary>
public sealed class PredictionPinTests
{
    private static readonly string PinFile = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Serving", "prediction-pins.json");

    public static TheoryData<string> Kinds => ["snr-trans", "snr-aver", "mmoe", "shared-bottom", "single-task"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Served_predictions_match_the_pinned_bits(string kind)
    {
        var data = Census.Value;
        var tasks = CensusIncome.Schema(1).Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
        var model = ModelFactory.Create(PinnedConfig(kind, data.Train.NumericCount, data.Encoder.EmbeddingConfig(), tasks));
        var train = data.Train.Subset(Enumerable.Range(0, 20_000).ToArray());
        new Trainer(model, new TrainingConfig { Epochs = 1, BatchSize = 256, Seed = 1, L0Lambda = 1e-4f, ValidationFraction = 0 }).Fit(train);

        using var predictor = Predictor.Compile(model);
        var outputs = new float[data.Test.Count * tasks.Length];
        predictor.Predict(data.Test.Numeric, data.Test.Categorical, outputs);
        string hash = Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(outputs.AsSpan())));

        var pins = File.Exists(PinFile) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(PinFile))! : [];
        if (Environment.GetEnvironmentVariable("SNR_UPDATE_PINS") == "1")
        {
            lock (PinFile)
            {
                pins = File.Exists(PinFile) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(PinFile))! : [];
                pins[kind] = hash;
                File.WriteAllText(PinFile, JsonSerializer.Serialize(new SortedDictionary<string, string>(pins), new JsonSerializerOptions { WriteIndented = true }));
            }
            return;
        }
        Assert.True(pins.TryGetValue(kind, out var pinned), $"No pin for {kind} in {PinFile}.");
        Assert.Equal(pinned, hash);
    }

    private static readonly Lazy<TabularSplit> Census = new(() => TabularSplit.Create(CensusIncome.Load(), CensusIncome.Schema(1), seed: 1));

    // The default configurations as they were when the pins were taken (the defaults themselves may move on).
    private static ModelConfig PinnedConfig(string kind, int numericInputs, InputEmbeddingConfig? embeddings, TaskConfig[] tasks) => kind switch
    {
        "snr-trans" => new SnrConfig
        {
            NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = 1, TowerHidden = [16],
            Variant = SnrVariant.Trans, Level0Blocks = 3, Level0Hidden = [64], Routing = [new RoutingLevelConfig(tasks.Length, 32)],
        },
        "snr-aver" => new SnrConfig
        {
            NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = 1, TowerHidden = [16],
            Variant = SnrVariant.Aver, Level0Blocks = 3, Level0Hidden = [64], Routing = [new RoutingLevelConfig(tasks.Length, 0, 32)],
        },
        "mmoe" => new MmoeConfig { NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = 1, TowerHidden = [16], Experts = 3, ExpertHidden = [64] },
        "shared-bottom" => new SharedBottomConfig { NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = 1, TowerHidden = [16], BottomHidden = [192, 32] },
        _ => new SingleTaskConfig { NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = 1, TowerHidden = [16], Hidden = [96] },
    };
}

namespace Snr.Tests.Serving;

/// <summary>Every model kind compiled into a predictor scores exactly what its own forward pass with serving gates scores.</summary>
public sealed class ModelServingTests() : TempFolderTests("snr-serving-")
{
    private const int D = 9, Rows = 11;
    private static readonly TaskConfig[] Tasks = [new("click", TaskKind.Binary), new("spend", TaskKind.Regression)];
    public static TheoryData<string> Kinds => new() { "shared-bottom", "mmoe", "single-task", "snr-trans", "snr-aver", "snr-trans-deep" };

    internal static MultiTaskModel Make(string kind, ulong seed = 3)
    {
        ModelConfig config = kind switch
        {
            "shared-bottom" => new SharedBottomConfig { NumericInputs = D, Tasks = Tasks, BottomHidden = [12, 8], TowerHidden = [5], Seed = seed },
            "mmoe" => new MmoeConfig { NumericInputs = D, Tasks = Tasks, Experts = 3, ExpertHidden = [7], TowerHidden = [5], Seed = seed },
            "single-task" => new SingleTaskConfig { NumericInputs = D, Tasks = Tasks, Hidden = [6], TowerHidden = [4], Seed = seed },
            "snr-trans" => new SnrConfig { NumericInputs = D, Tasks = Tasks, Level0Blocks = 3, Level0Hidden = [5], Routing = [new RoutingLevelConfig(2, 6)], TowerHidden = [4], Seed = seed, InitialLogAlpha = 1f },
            "snr-aver" => new SnrConfig { NumericInputs = D, Tasks = Tasks, Variant = SnrVariant.Aver, Level0Blocks = 3, Level0Hidden = [5], Routing = [new RoutingLevelConfig(2, 0, 6)], TowerHidden = [4], Seed = seed, InitialLogAlpha = 1f },
            _ => new SnrConfig { NumericInputs = D, Tasks = Tasks, Level0Blocks = 4, Level0Hidden = [6, 5], Routing = [new RoutingLevelConfig(3, 7, 6), new RoutingLevelConfig(2, 4)], TowerHidden = [3], Seed = seed, InitialLogAlpha = 1f },
        };
        return ModelFactory.Create(config);
    }

    private static float[] Features(ulong seed = 21) => TestData.Normal(Rows * D, seed);

    // The model's own forward pass (serving gates), as [rows, tasks] with sigmoid on binary tasks.
    private static float[] ModelScores(MultiTaskModel model, float[] x) => ModelForward.Scores(model, x);

    private static float[] PredictorScores(Predictor predictor, float[] x)
    {
        var outputs = new float[Rows * predictor.Tasks.Count];
        predictor.Predict(x, outputs);
        return outputs;
    }

    // Every other SNR connection forced to exactly 0, so that pruning has something to remove.
    private static void ZeroSomeGates(MultiTaskModel model)
    {
        if (model is not SnrModel snr) return;
        foreach (var level in snr.Levels)
        {
            var values = new float[level.Gate.Outputs * level.Gate.Inputs];
            Array.Fill(values, float.NaN);                                  // learned (serving value from log_alpha = 1)
            for (int k = 1; k < values.Length; k += 2) values[k] = 0f;      // every other connection closed
            level.Gate.Force(values);
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void The_predictor_equals_the_models_forward_pass(string kind)
    {
        var model = Make(kind);
        ZeroSomeGates(model);
        var x = Features();
        var predictor = Predictor.Compile(model);
        TensorAssert.Close(ModelScores(model, x), PredictorScores(predictor, x), 1e-5, kind);
        if (model is SnrModel) Assert.True(predictor.Summary.LiveConnections < predictor.Summary.TotalConnections);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_single_task_predictor_equals_the_full_one(string kind)
    {
        var model = Make(kind);
        ZeroSomeGates(model);
        var x = Features(22);
        var full = PredictorScores(Predictor.Compile(model), x);
        var spendOnly = Predictor.Compile(model, ["spend"]);
        var spend = PredictorScores(spendOnly, x);
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => full[r * 2 + 1]), spend);
        Assert.Contains(spendOnly.Summary.RemovedGroups, g => g.StartsWith("towers.click", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Save_load_predict_gives_identical_outputs(string kind)
    {
        var model = Make(kind);
        var x = Features(23);
        string dir = PathOf(kind);
        ModelCheckpoint.Save(dir, model);
        var (loaded, preprocessing) = ModelCheckpoint.Load(dir);
        Assert.Null(preprocessing);
        Assert.Equal(model.Config.GetType(), loaded.Config.GetType());
        Assert.Equal(ModelScores(model, x), ModelScores(loaded, x));
        Assert.Equal(PredictorScores(Predictor.Compile(model), x),
                     PredictorScores(Predictor.Compile(loaded), x));
        Assert.True(File.Exists(Path.Combine(dir, ModelCheckpoint.ConfigFile)));
    }
}

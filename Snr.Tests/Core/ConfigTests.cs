using Snr.Core.Serialization;

namespace Snr.Tests.Core;

public class ConfigTests
{
    public static TheoryData<ModelConfig> AllKinds() =>
    [
        CoreTestModels.SharedBottom(5, CoreTestModels.Binary),
        CoreTestModels.Mmoe(5, CoreTestModels.Regression),
        CoreTestModels.SingleTask(5, CoreTestModels.Binary),
        CoreTestModels.SnrTrans(5, CoreTestModels.Binary) with { InitialLogAlpha = 1.5f },
        CoreTestModels.SnrAver(5, CoreTestModels.Regression),
    ];

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Model_configs_round_trip_through_json(ModelConfig config)
    {
        string json = ConfigJson.Serialize(config);
        var back = ConfigJson.DeserializeModel(json);
        Assert.Equal(config.GetType(), back.GetType());
        Assert.Equal(json, ConfigJson.Serialize(back));
        Assert.Contains("\"kind\"", json);
        Assert.Contains("\"numeric_inputs\": 5", json);
        Assert.DoesNotContain("input_dim", json);
    }

    [Fact]
    public void A_configuration_saved_with_input_dim_counting_categorical_columns_still_loads()
    {
        // Before numeric_inputs, input_dim counted the numeric and the categorical columns together.
        const string legacy = """
            { "kind": "shared_bottom", "input_dim": 7, "embeddings": { "cardinalities": [4, 9], "dims": [2, 3] },
              "tasks": [ { "name": "a", "kind": "Binary" } ], "bottom_hidden": [ 8 ] }
            """;
        var config = ConfigJson.DeserializeModel(legacy);
        Assert.Equal(5, config.NumericInputs);
        Assert.Equal(2, config.CategoricalInputs);
        Assert.Equal(5 + 2 + 3, config.InputWidth);
        Assert.Null(config.LegacyInputDim);
    }

    [Fact]
    public void Json_uses_snake_case_and_string_enums()
    {
        string json = ConfigJson.Serialize(CoreTestModels.SnrTrans(5, CoreTestModels.Binary));
        Assert.Contains("\"kind\": \"snr\"", json);
        Assert.Contains("\"variant\": \"Trans\"", json);
        Assert.Contains("\"level0_blocks\": 3", json);
        Assert.Contains("\"kind\": \"Binary\"", json);
    }

    [Fact]
    public void Training_config_round_trips()
    {
        var config = new TrainingConfig
        {
            Epochs = 3, L0Lambda = 0.01f, LossWeights = new() { ["click"] = 2f },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, LearningRate = 0.1f },
            EarlyStopping = new EarlyStoppingConfig { Task = "click", Metric = ValidationMetric.Auc, Patience = 2 },
        };
        string json = ConfigJson.Serialize(config);
        var back = ConfigJson.DeserializeTraining(json);
        Assert.Equal(json, ConfigJson.Serialize(back));
        Assert.Equal(2f, back.LossWeights["click"]);
        Assert.Equal(ValidationMetric.Auc, back.EarlyStopping!.Metric);
    }

    [Theory]
    [InlineData("numeric_inputs")]
    [InlineData("tasks")]
    [InlineData("tasks[1].name")]
    [InlineData("tower_hidden[0]")]
    [InlineData("level0_blocks")]
    [InlineData("level0_hidden")]
    [InlineData("routing[0].width")]
    [InlineData("routing[1].blocks")]
    [InlineData("zeta")]
    public void Snr_validation_names_the_offending_field(string field)
    {
        var ok = CoreTestModels.SnrTrans(5, CoreTestModels.Binary);
        SnrConfig bad = field switch
        {
            "numeric_inputs" => ok with { NumericInputs = -1 },
            "tasks" => ok with { Tasks = [] },
            "tasks[1].name" => ok with { Tasks = [new("a"), new("a")] },
            "tower_hidden[0]" => ok with { TowerHidden = [-1] },
            "level0_blocks" => ok with { Level0Blocks = 0 },
            "level0_hidden" => ok with { Level0Hidden = [] },
            "routing[0].width" => ok with { Routing = [new RoutingLevelConfig(3, 0), ok.Routing[1]] },
            "routing[1].blocks" => ok with { Routing = [ok.Routing[0], new RoutingLevelConfig(3, 8)] },
            _ => ok with { Zeta = 0.5f },
        };
        var ex = Assert.Throws<ConfigException>(() => ModelFactory.Create(bad));
        Assert.Equal(field, ex.Field);
        Assert.StartsWith(field + ":", ex.Message);
    }

    [Fact]
    public void Other_validations_name_their_fields()
    {
        Assert.Equal("experts", Assert.Throws<ConfigException>(() => ModelFactory.Create(CoreTestModels.Mmoe(5, CoreTestModels.Binary) with { Experts = 0 })).Field);
        Assert.Equal("bottom_hidden", Assert.Throws<ConfigException>(() => ModelFactory.Create(CoreTestModels.SharedBottom(5, CoreTestModels.Binary) with { BottomHidden = [] })).Field);
        Assert.Equal("routing[0].hidden", Assert.Throws<ConfigException>(() => ModelFactory.Create(CoreTestModels.SnrAver(5, CoreTestModels.Binary) with { Routing = [new RoutingLevelConfig(2, 0)] })).Field);
        Assert.Equal("tasks[0].name", Assert.Throws<ConfigException>(() => ModelFactory.Create(CoreTestModels.SharedBottom(5, [new("has.dot")]))).Field);

        var model = CoreTestModels.SharedBottom(5, CoreTestModels.Binary);
        Assert.Equal("batch_size", Assert.Throws<ConfigException>(() => new TrainingConfig { BatchSize = 0 }.Validate(model)).Field);
        Assert.Equal("optimizer.learning_rate", Assert.Throws<ConfigException>(() => new TrainingConfig { Optimizer = new() { LearningRate = -1 } }.Validate(model)).Field);
        Assert.Equal("loss_weights.nope", Assert.Throws<ConfigException>(() => new TrainingConfig { LossWeights = new() { ["nope"] = 1 } }.Validate(model)).Field);
        Assert.Equal("early_stopping.metric", Assert.Throws<ConfigException>(() =>
            new TrainingConfig { EarlyStopping = new() { Task = "click", Metric = ValidationMetric.Rmse } }.Validate(model)).Field);
        Assert.Equal("early_stopping.task", Assert.Throws<ConfigException>(() =>
            new TrainingConfig { EarlyStopping = new() { Task = "nope" } }.Validate(model)).Field);
    }

    [Fact]
    public void Unknown_kind_in_json_is_rejected()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ConfigJson.DeserializeModel("{\"kind\":\"nope\",\"input_dim\":3}"));
        var ex = Assert.Throws<ConfigException>(() => ConfigJson.DeserializeModel("{\"kind\":\"mmoe\",\"input_dim\":3,\"tasks\":[{\"name\":\"a\"}],\"experts\":0,\"expert_hidden\":[4]}"));
        Assert.Equal("experts", ex.Field);
    }
}

public class ConfigDefaultsTests
{
    [Fact]
    public void Fields_missing_from_json_keep_their_defaults()
    {
        var snr = (SnrConfig)ConfigJson.DeserializeModel(
            "{\"kind\":\"snr\",\"input_dim\":3,\"tasks\":[{\"name\":\"a\"}],\"level0_blocks\":2,\"level0_hidden\":[4],\"routing\":[{\"blocks\":1,\"width\":2}]}");
        Assert.Equal(2f / 3f, snr.Beta);
        Assert.Equal(1.1f, snr.Zeta);
        Assert.Empty(snr.TowerHidden);
        Assert.Equal(TaskKind.Binary, snr.Tasks[0].Kind);
        var training = ConfigJson.DeserializeTraining("{\"epochs\":3}");
        Assert.Equal(256, training.BatchSize);
        Assert.Equal(1e-3f, training.Optimizer.LearningRate);
        Assert.Empty(training.LossWeights);
    }
}

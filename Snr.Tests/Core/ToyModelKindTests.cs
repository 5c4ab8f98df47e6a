namespace Snr.Tests.Core;

/// <summary>
/// Adding a model kind is its configuration, its module, its serving nodes and one registration — nothing else
/// in the library changes. This file is the whole of a toy kind ("direct": each tower reads the input itself),
/// and the kind then trains, evaluates and serves like the built-in ones.
/// </summary>
[Collection(ToyModelKindCollection.Name)]
public sealed class ToyModelKindTests
{
    // Its configuration: nothing beyond the towers.
    private sealed record DirectConfig : ModelConfig
    {
        public override string KindName => "direct";

        internal override MultiTaskModel Build() => new DirectModel(this);
    }

    // Its module: the towers read the (embedded) input.
    private sealed class DirectModel : MultiTaskModel
    {
        public DirectModel(DirectConfig config) : base(Validated(config), config.InputWidth) { }

        private protected override void ForwardCore(Tensor x, Tensor[] outputs, bool training)
        {
            for (int t = 0; t < outputs.Length; t++) outputs[t] = Tower(t).Forward(x);
        }

        // Its serving nodes: none of its own; the towers read node 0, the input, whole.
        private protected override (int Node, int BlockWidth) WriteServingNodes(ServingGraphWriter graph) => (0, 0);
    }

    [Fact]
    public void A_registered_toy_kind_trains_evaluates_and_serves_like_the_built_in_ones()
    {
        // Its registration (scoped, so that the other tests see only the library's kinds).
        using var registration = DefaultModels.Register(new ModelKind("direct", _ => new DirectConfig()));
        Assert.Contains("direct", DefaultModels.Kinds);
        var config = DefaultModels.Create("direct", numericInputs: 6, embeddings: null, CoreTestModels.Binary, seed: 3);
        var model = ModelFactory.Create(config);
        Assert.Equal("direct", model.Config.KindName);
        var data = CoreTestModels.BinaryData(400, 6, seed: 4);
        new Trainer(model, new TrainingConfig { Epochs = 5, BatchSize = 32, ValidationFraction = 0, Seed = 1 }).Fit(data);

        using var predictor = Predictor.Compile(model);
        var served = new float[data.Count * 2];
        predictor.Predict(data.Numeric, served);
        TensorAssert.Close(ModelForward.Scores(model, data.Numeric.ToArray()), served, 1e-5, "served vs model");
        Assert.Equal(2 * 2 * (6 * 16 + 16 * 1), predictor.Summary.FlopsPerRow);
        var metrics = Evaluator.Evaluate(model, data);
        Assert.True(metrics[0].Auc > 0.7, $"click AUC {metrics[0].Auc}");
    }
}

/// <summary>Runs the toy-kind test alone: while it runs, the kind is in the registry every command reads.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ToyModelKindCollection
{
    public const string Name = "toy model kind";
}

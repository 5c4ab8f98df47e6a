namespace Snr.Tests.Tabular;

/// <summary>Models with categorical inputs: [numeric | category indices] rows through embedding tables.</summary>
public class EmbeddingInputTests
{
    private static readonly TaskConfig[] Tasks = [new("a"), new("b", TaskKind.Regression)];

    private static MultiTaskModel Model() => ModelFactory.Create(DefaultModels.Create("snr-trans", numericInputs: 2,
        new InputEmbeddingConfig { Cardinalities = [5, 3], Dims = [3, 2] }, Tasks, seed: 4));

    // 2 numeric inputs, then a category of table 0 (only 1 and 2 used) and of table 1.
    private static MultiTaskDataset Data(int rows)
    {
        var x = TestData.Normal(rows * 2, 5);
        var categories = new int[rows * 2];
        var a = new float[rows];
        var b = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            categories[r * 2] = 1 + r % 2;
            categories[r * 2 + 1] = r % 3;
            a[r] = categories[r * 2] == 1 ? 1 : 0;
            b[r] = x[r * 2] + categories[r * 2 + 1];
        }
        return new MultiTaskDataset(x, 2, categories, 2, ["a", "b"], [a, b]);
    }

    [Fact]
    public void The_input_is_numeric_then_each_columns_embedding()
    {
        var model = Model();
        var table0 = model.Input!.Tables[0];
        var table1 = model.Input.Tables[1];
        var x = Tensor.FromArray([0.5f, -1f], Shape.Matrix(1, 2));
        using var _ = Tape.NoGrad();
        var encoded = model.Input.Forward(x, [4, 2]);
        Assert.Equal([0.5f, -1f, .. table0.Data.Slice(4 * 3, 3), .. table1.Data.Slice(2 * 2, 2)], encoded.Data.ToArray());
        Assert.Equal(2 + 3 + 2, model.Config.InputWidth);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Input.Forward(Tensor.FromArray([0f, 0f], Shape.Matrix(1, 2)), [5, 0]));
        Assert.Contains("5", error.Message);
    }

    [Fact]
    public void Only_the_rows_a_batch_touches_are_updated()
    {
        var model = Model();
        var table0 = model.Input!.Tables[0];
        var before = table0.Data.ToArray();
        new Trainer(model, new TrainingConfig { Epochs = 3, BatchSize = 16, ValidationFraction = 0, Seed = 1 }).Fit(Data(64));
        var after = table0.Data.ToArray();
        for (int row = 0; row < 5; row++)
        {
            bool touched = row is 1 or 2;
            bool changed = !before.AsSpan(row * 3, 3).SequenceEqual(after.AsSpan(row * 3, 3));
            Assert.True(touched == changed, $"row {row}: touched {touched}, changed {changed}");
        }
    }

    [Fact]
    public void The_predictor_takes_numeric_and_categorical_inputs_apart()
    {
        var model = Model();
        var data = Data(9);
        var expected = ModelForward.Scores(model, data.Numeric.ToArray(), data.Categorical.ToArray());
        var predictor = Predictor.Compile(model);
        var outputs = new float[9 * 2];
        predictor.Predict(data.Numeric, data.Categorical, outputs);
        TensorAssert.Close(expected, outputs, 1e-5, "scores");
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.FromArray(data.Numeric.ToArray(), Shape.Matrix(9, 2)), data.Categorical[..4], training: false));
    }
}

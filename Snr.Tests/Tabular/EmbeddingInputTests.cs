using Snr.Autograd;
using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Training;
using Snr.Tests.Support;

namespace Snr.Tests.Tabular;

/// <summary>Models with categorical inputs: [numeric | category indices] rows through embedding tables.</summary>
public class EmbeddingInputTests
{
    private static readonly TaskConfig[] Tasks = [new("a"), new("b", TaskKind.Regression)];

    private static MultiTaskModel Model() => ModelFactory.Create(DefaultModels.Create("snr-trans", inputDim: 4,
        new InputEmbeddingConfig { Cardinalities = [5, 3], Dims = [3, 2] }, Tasks, seed: 4));

    // 2 numeric columns, then a category of table 0 (only 1 and 2 used) and of table 1.
    private static MultiTaskDataset Data(int rows)
    {
        var x = TestData.Normal(rows * 4, 5);
        var a = new float[rows];
        var b = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            x[r * 4 + 2] = 1 + r % 2;
            x[r * 4 + 3] = r % 3;
            a[r] = x[r * 4 + 2] == 1 ? 1 : 0;
            b[r] = x[r * 4] + x[r * 4 + 3];
        }
        return new MultiTaskDataset(x, 4, ["a", "b"], [a, b]);
    }

    [Fact]
    public void The_input_is_numeric_then_each_columns_embedding()
    {
        var model = Model();
        var table0 = model.Input!.Tables[0];
        var table1 = model.Input.Tables[1];
        var x = Tensor.FromArray([0.5f, -1f, 4f, 2f], Shape.Matrix(1, 4));
        using var _ = Tape.NoGrad();
        var encoded = model.Input.Forward(x);
        Assert.Equal([0.5f, -1f, .. table0.Data.Slice(4 * 3, 3), .. table1.Data.Slice(2 * 2, 2)], encoded.Data.ToArray());
        Assert.Equal(2 + 3 + 2, model.Config.EncodedInputDim);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Input.Forward(Tensor.FromArray([0f, 0f, 5f, 0f], Shape.Matrix(1, 4))));
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
        var expected = Evaluator.Predict(model, data);
        var predictor = Predictor.Compile(ServingGraphBuilder.FromModel(model));
        var numeric = new float[9 * 2];
        var categorical = new int[9 * 2];
        for (int r = 0; r < 9; r++)
        {
            data.Row(r)[..2].CopyTo(numeric.AsSpan(r * 2));
            categorical[r * 2] = (int)data.Row(r)[2];
            categorical[r * 2 + 1] = (int)data.Row(r)[3];
        }
        var outputs = new float[9 * 2];
        predictor.Predict(numeric, categorical, outputs);
        for (int t = 0; t < 2; t++)
            TensorAssert.Close(expected[t], [.. Enumerable.Range(0, 9).Select(r => outputs[r * 2 + t])], 1e-5, $"task {t}");
    }
}

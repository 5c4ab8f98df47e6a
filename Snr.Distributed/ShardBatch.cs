using Snr.Autograd;
using Snr.Core.Models;

namespace Snr.Distributed;

/// <summary>The tensors of one worker's part of a global batch, allocated once and refilled every step.</summary>
public sealed class ShardBatch
{
    /// <summary>Allocates a part of <paramref name="rows"/> rows for a model of <paramref name="model"/>'s inputs and tasks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No rows.</exception>
    public ShardBatch(int rows, ModelConfig model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        Rows = rows;
        Numeric = Tensor.Zeros(rows, model.NumericInputs);
        Categorical = new int[rows * model.CategoricalInputs];
        Targets = new Tensor[model.Tasks.Length];
        Weights = new Tensor[model.Tasks.Length];
        for (int t = 0; t < Targets.Length; t++)
        {
            Targets[t] = Tensor.Zeros(rows, 1);
            Weights[t] = Tensor.Zeros(rows, 1);
        }
    }

    /// <summary>Rows in the part.</summary>
    public int Rows { get; }

    /// <summary>[Rows, NumericInputs].</summary>
    public Tensor Numeric { get; }

    /// <summary>[Rows, CategoricalInputs] category indices, row-major.</summary>
    public int[] Categorical { get; }

    /// <summary>One [Rows, 1] label tensor per task (0 where the label is missing).</summary>
    public Tensor[] Targets { get; }

    /// <summary>One [Rows, 1] row-weight tensor per task (0 where the label is missing).</summary>
    public Tensor[] Weights { get; }

    /// <summary>Σ of task <paramref name="task"/>'s row weights: what this part weighs in the global batch's mean loss.</summary>
    public float WeightSum(int task) => System.Numerics.Tensors.TensorPrimitives.Sum<float>(Weights[task].Data);
}

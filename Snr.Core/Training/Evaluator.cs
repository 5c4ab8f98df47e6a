using Snr.Autograd;
using Snr.Core.Data;
using Snr.Core.Models;

namespace Snr.Core.Training;

/// <summary>Serving-mode evaluation of a model on a dataset.</summary>
public static class Evaluator
{
    /// <summary>
    /// Predictions for every row, computed in batches with serving gates and without gradients:
    /// result[task][row] (probabilities for binary tasks, values for regression tasks).
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's feature count differs from the model's input.</exception>
    public static float[][] Predict(MultiTaskModel model, MultiTaskDataset data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.FeatureCount != model.Config.InputDim)
            throw new ArgumentException($"The dataset has {data.FeatureCount} features, the model expects {model.Config.InputDim}.", nameof(data));
        var result = new float[model.Tasks.Count][];
        for (int t = 0; t < result.Length; t++) result[t] = new float[data.Count];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int rows = Math.Min(batchSize, data.Count - start);
            var x = Tensor.FromArray(data.Features.Slice(start * data.FeatureCount, rows * data.FeatureCount), Shape.Matrix(rows, data.FeatureCount));
            var predictions = model.Predict(x);
            for (int t = 0; t < result.Length; t++) predictions[t].CopyTo(result[t], start);
        }
        return result;
    }

    /// <summary>Per-task metrics of the model on <paramref name="data"/> (tasks matched by name).</summary>
    /// <exception cref="KeyNotFoundException">The dataset lacks one of the model's tasks.</exception>
    public static IReadOnlyList<TaskMetrics> Evaluate(MultiTaskModel model, MultiTaskDataset data, int batchSize = 1024)
    {
        var predictions = Predict(model, data, batchSize);
        var metrics = new TaskMetrics[model.Tasks.Count];
        for (int t = 0; t < metrics.Length; t++)
        {
            var task = model.Tasks[t];
            ReadOnlySpan<float> labels = data.Labels(data.TaskIndex(task.Name));
            if (task.Kind == TaskKind.Binary)
            {
                double auc = Metrics.RocAuc(labels, predictions[t]), logLoss = Metrics.LogLoss(labels, predictions[t]);
                metrics[t] = new TaskMetrics(task.Name, logLoss, double.IsNaN(auc) ? null : auc, logLoss, null, null);
            }
            else
            {
                double mse = Metrics.MeanSquaredError(labels, predictions[t]);
                metrics[t] = new TaskMetrics(task.Name, mse, null, null, mse, Math.Sqrt(mse));
            }
        }
        return metrics;
    }
}

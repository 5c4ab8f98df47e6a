using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Serving;

namespace Snr.Core.Training;

/// <summary>
/// Evaluation of a model on a dataset (weighted by its row weights, leaving out missing labels) through the compiled <see cref="Predictor"/>: the same forward pass that
/// serves the model, so validation and test metrics are the numbers the served model gives.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Predictions for every row: result[task][row] (probabilities for binary tasks, values for regression tasks).
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's inputs differ from the model's.</exception>
    public static float[][] Predict(MultiTaskModel model, MultiTaskDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var predictor = Predictor.Compile(model);
        return Predict(predictor, data);
    }

    /// <summary>Predictions of a compiled model for every row: result[task][row].</summary>
    /// <exception cref="ArgumentException">The dataset's inputs differ from the predictor's.</exception>
    public static float[][] Predict(Predictor predictor, MultiTaskDataset data)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(data);
        if (data.NumericCount != predictor.NumericInputs || data.CategoricalCount != predictor.CategoricalInputs)
            throw new ArgumentException($"The dataset has {data.NumericCount} numeric and {data.CategoricalCount} categorical inputs, the model {predictor.NumericInputs} and {predictor.CategoricalInputs}.", nameof(data));
        int tasks = predictor.Tasks.Count;
        var scores = new float[data.Count * tasks];
        predictor.Predict(data.Numeric, data.Categorical, scores);
        var result = new float[tasks][];
        for (int t = 0; t < tasks; t++)
        {
            result[t] = new float[data.Count];
            for (int r = 0; r < data.Count; r++) result[t][r] = scores[r * tasks + t];
        }
        return result;
    }

    /// <summary>Per-task metrics of the model on <paramref name="data"/> (tasks matched by name).</summary>
    /// <exception cref="KeyNotFoundException">The dataset lacks one of the model's tasks.</exception>
    public static IReadOnlyList<TaskMetrics> Evaluate(MultiTaskModel model, MultiTaskDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var predictor = Predictor.Compile(model);
        return Evaluate(predictor, model.Tasks, data);
    }

    /// <summary>Per-task metrics of a compiled model on <paramref name="data"/> (tasks matched by name).</summary>
    /// <exception cref="KeyNotFoundException">The dataset lacks one of the tasks.</exception>
    public static IReadOnlyList<TaskMetrics> Evaluate(Predictor predictor, IReadOnlyList<TaskConfig> tasks, MultiTaskDataset data)
    {
        var predictions = Predict(predictor, data);
        var metrics = new TaskMetrics[predictor.Tasks.Count];
        for (int t = 0; t < metrics.Length; t++)
        {
            var task = tasks.First(c => c.Name == predictor.Tasks[t]);
            var (labels, scores, weights) = LabelledRows(data.Labels(data.TaskIndex(task.Name)), predictions[t], data.RowWeights);
            if (task.Kind == TaskKind.Binary)
            {
                double auc = Metrics.RocAuc(labels, scores, weights), logLoss = Metrics.LogLoss(labels, scores, weights);
                metrics[t] = new TaskMetrics(task.Name, logLoss, double.IsNaN(auc) ? null : auc, logLoss, null, null);
            }
            else
            {
                double mse = Metrics.MeanSquaredError(labels, scores, weights);
                metrics[t] = new TaskMetrics(task.Name, mse, null, null, mse, Math.Sqrt(mse));
            }
        }
        return metrics;
    }

    // The labels, predictions and weights (empty: all 1) of the rows whose label is present: a missing label is left out of the metrics.
    private static (float[] Labels, float[] Predictions, float[] Weights) LabelledRows(ReadOnlySpan<float> labels, float[] predictions, ReadOnlySpan<float> rowWeights)
    {
        float[] all = labels.ToArray(), weights = rowWeights.ToArray();
        int[] kept = [.. Enumerable.Range(0, all.Length).Where(r => !MultiTaskDataset.IsMissing(all[r]))];
        if (kept.Length == all.Length) return (all, predictions, weights);
        return ([.. kept.Select(r => all[r])], [.. kept.Select(r => predictions[r])], weights.Length == 0 ? [] : [.. kept.Select(r => weights[r])]);
    }
}

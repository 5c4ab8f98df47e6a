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

    /// <summary>Per-task metrics of the model on <paramref name="rows"/> (a <see cref="MultiTaskDataset"/>, or rows read once in blocks; tasks matched by name).</summary>
    /// <exception cref="KeyNotFoundException">The rows lack one of the model's tasks.</exception>
    /// <exception cref="ArgumentException">The rows' inputs differ from the model's.</exception>
    public static IReadOnlyList<TaskMetrics> Evaluate(MultiTaskModel model, IEvaluationRows rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var predictor = Predictor.Compile(model);
        return Evaluate(predictor, model.Tasks, rows);
    }

    /// <summary>
    /// Per-task metrics of a compiled model on <paramref name="rows"/> (tasks matched by name):
    /// AUC and log loss for a binary task, MSE and RMSE for a regression task, weighted by the row
    /// weights when the rows have them, over the rows whose label for that task is present.
    /// </summary>
    /// <remarks>
    /// The rows are read once, in order, a block of <see cref="BlockRows"/> rows at a time, and
    /// scored by <paramref name="predictor"/>; only each task's labels, scores and (when weighted)
    /// weights are kept, 8 or 12 bytes a row per task, which the AUC needs sorted (8 bytes a row more
    /// for one task at a time). A block is a whole number of the predictor's
    /// <see cref="PredictorOptions.RowsPerChunk"/>, so the rows are scored in the same groups as in one
    /// call over all of them: the metrics of rows read from a file in blocks equal, to the bit, those
    /// of the same rows in memory.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">The rows lack one of the tasks.</exception>
    /// <exception cref="ArgumentException">The rows' inputs differ from the predictor's.</exception>
    public static IReadOnlyList<TaskMetrics> Evaluate(Predictor predictor, IReadOnlyList<TaskConfig> tasks, IEvaluationRows rows)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.NumericCount, c = rows.CategoricalCount, rowTasks = rows.TaskNames.Count, outputs = predictor.Tasks.Count;
        if (n != predictor.NumericInputs || c != predictor.CategoricalInputs)
            throw new ArgumentException($"The dataset has {n} numeric and {c} categorical inputs, the model {predictor.NumericInputs} and {predictor.CategoricalInputs}.", nameof(rows));
        var configs = new TaskConfig[outputs];
        var labelColumns = new int[outputs];
        var kept = new LabelledScores[outputs];
        for (int t = 0; t < outputs; t++)
        {
            configs[t] = tasks.First(task => task.Name == predictor.Tasks[t]);
            labelColumns[t] = MultiTaskDataset.TaskIndex(rows.TaskNames, configs[t].Name);
            kept[t] = new LabelledScores(rows.HasRowWeights, rows.Count ?? 0);
        }

        int block = BlockRows(predictor);
        var numeric = new float[block * n];
        var categorical = new int[block * c];
        var labels = new float[block * rowTasks];
        var weights = new float[block];
        var scores = new float[block * outputs];
        using (var reader = rows.Open())
        {
            int filled;
            do
            {
                filled = 0;
                for (int read; filled < block && (read = reader.Read(numeric.AsSpan(filled * n), categorical.AsSpan(filled * c), labels.AsSpan(filled * rowTasks), weights.AsSpan(filled, block - filled))) > 0;)
                    filled += read;
                if (filled == 0) break;
                predictor.Predict(numeric.AsSpan(0, filled * n), categorical.AsSpan(0, filled * c), scores.AsSpan(0, filled * outputs));
                for (int t = 0; t < outputs; t++)
                    for (int r = 0; r < filled; r++)
                    {
                        float label = labels[r * rowTasks + labelColumns[t]];
                        if (!MultiTaskDataset.IsMissing(label)) kept[t].Add(label, scores[r * outputs + t], weights[r]);
                    }
            }
            while (filled == block);
        }

        var metrics = new TaskMetrics[outputs];
        for (int t = 0; t < outputs; t++)
        {
            ReadOnlySpan<float> taskLabels = kept[t].Labels, taskScores = kept[t].Scores, taskWeights = kept[t].Weights;
            if (configs[t].Kind == TaskKind.Binary)
            {
                double auc = Metrics.RocAuc(taskLabels, taskScores, taskWeights), logLoss = Metrics.LogLoss(taskLabels, taskScores, taskWeights);
                metrics[t] = new TaskMetrics(configs[t].Name, logLoss, double.IsNaN(auc) ? null : auc, logLoss, null, null);
            }
            else
            {
                double mse = Metrics.MeanSquaredError(taskLabels, taskScores, taskWeights);
                metrics[t] = new TaskMetrics(configs[t].Name, mse, null, null, mse, Math.Sqrt(mse));
            }
        }
        return metrics;
    }

    /// <summary>The rows <see cref="Evaluate(Predictor, IReadOnlyList{TaskConfig}, IEvaluationRows)"/> scores at a time: about 16,384, a whole number of the predictor's chunks.</summary>
    public static int BlockRows(Predictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        int chunk = predictor.Options.RowsPerChunk;
        return Math.Max(1, (1 << 14) / chunk) * chunk;
    }

    // One task's labels, scores and weights (when the rows are weighted) of the rows whose label is present, in row order.
    private sealed class LabelledScores(bool weighted, long expectedRows)
    {
        private float[] _labels = new float[Math.Clamp(expectedRows, 0, 1 << 20)], _scores = new float[Math.Clamp(expectedRows, 0, 1 << 20)];
        private float[] _weights = weighted ? new float[Math.Clamp(expectedRows, 0, 1 << 20)] : [];
        private int _count;

        public ReadOnlySpan<float> Labels => _labels.AsSpan(0, _count);

        public ReadOnlySpan<float> Scores => _scores.AsSpan(0, _count);

        // Empty when unweighted: every row weighs 1.
        public ReadOnlySpan<float> Weights => weighted ? _weights.AsSpan(0, _count) : [];

        public void Add(float label, float score, float weight)
        {
            if (_count == _labels.Length)
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(1024L, 2L * _count));
                Array.Resize(ref _labels, size);
                Array.Resize(ref _scores, size);
                if (weighted) Array.Resize(ref _weights, size);
            }
            _labels[_count] = label;
            _scores[_count] = score;
            if (weighted) _weights[_count] = weight;
            _count++;
        }
    }
}

namespace Snr.Tests.Support;

/// <summary>
/// The model's own tape forward pass with serving gates, as [rows, tasks] with a sigmoid on binary tasks: the
/// independent reference the compiled predictor is checked against.
/// </summary>
internal static class ModelForward
{
    public static float[] Scores(MultiTaskModel model, float[] numeric, int[]? categorical = null)
    {
        using var _ = Tape.NoGrad();
        int rows = numeric.Length / Math.Max(model.Config.NumericInputs, 1);
        if (model.Config.NumericInputs == 0) rows = (categorical?.Length ?? 0) / model.Config.CategoricalInputs;
        var outputs = model.Forward(Tensor.FromArray(numeric, Shape.Matrix(rows, model.Config.NumericInputs)), categorical ?? [], training: false);
        int tasks = outputs.Length;
        var result = new float[rows * tasks];
        for (int t = 0; t < tasks; t++)
            for (int r = 0; r < rows; r++)
            {
                float v = outputs[t].Data[r];
                result[r * tasks + t] = model.Tasks[t].Kind == TaskKind.Binary ? 1f / (1f + MathF.Exp(-v)) : v;
            }
        return result;
    }

    /// <summary>The same per task: result[task][row].</summary>
    public static float[][] PerTask(MultiTaskModel model, float[] numeric, int[]? categorical = null)
    {
        var scores = Scores(model, numeric, categorical);
        int tasks = model.Tasks.Count, rows = scores.Length / tasks;
        return [.. Enumerable.Range(0, tasks).Select(t => Enumerable.Range(0, rows).Select(r => scores[r * tasks + t]).ToArray())];
    }
}

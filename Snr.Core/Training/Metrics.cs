namespace Snr.Core.Training;

/// <summary>Evaluation metrics over a task's labels and predictions.</summary>
public static class Metrics
{
    /// <summary>
    /// The exact area under the ROC curve: the probability that a random positive scores above a
    /// random negative, ties counting one half — computed as the Mann–Whitney U statistic with
    /// tied scores given their average rank. O(n log n).
    /// </summary>
    /// <param name="labels">0 or 1 per row (anything &gt; 0.5 counts as positive).</param>
    /// <param name="scores">Any monotone score: probability or logit.</param>
    /// <returns>The AUC, or NaN when all labels belong to one class.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, or a score is NaN.</exception>
    public static double RocAuc(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores)
    {
        CheckLengths(labels, scores);
        int n = scores.Length;
        var order = new int[n];
        var keys = scores.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (float.IsNaN(keys[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            order[i] = i;
        }
        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            double averageRank = (start + end) / 2.0 + 1.0;   // ranks are 1-based
            for (int k = start; k <= end; k++)
                if (labels[order[k]] > 0.5f)
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            start = end + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Mean binary cross-entropy −[y·log p + (1 − y)·log(1 − p)] of probabilities, with p clipped
    /// to [1e-7, 1 − 1e-7] so that a confident mistake costs a large but finite amount.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double LogLoss(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities)
    {
        CheckLengths(labels, probabilities);
        if (labels.IsEmpty) return double.NaN;
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double p = Math.Clamp(probabilities[i], 1e-7, 1 - 1e-7), y = labels[i];
            sum -= y * Math.Log(p) + (1 - y) * Math.Log(1 - p);
        }
        return sum / labels.Length;
    }

    /// <summary>Mean of (prediction − label)², in double.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions)
    {
        CheckLengths(labels, predictions);
        if (labels.IsEmpty) return double.NaN;
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double d = (double)predictions[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.Length;
    }

    /// <summary>√<see cref="MeanSquaredError"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double RootMeanSquaredError(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions) =>
        Math.Sqrt(MeanSquaredError(labels, predictions));

    private static void CheckLengths(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions)
    {
        if (labels.Length != predictions.Length)
            throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions.");
    }
}

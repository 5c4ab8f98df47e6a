namespace Snr.Core.Training;

/// <summary>Evaluation metrics over a task's labels and predictions.</summary>
public static class Metrics
{
    /// <summary>
    /// The exact area under the ROC curve: the probability that a random positive scores above a
    /// random negative, ties counting one half — computed as the Mann–Whitney U statistic over
    /// the rows sorted by score, with tied scores counted one half. O(n log n).
    /// </summary>
    /// <param name="labels">0 or 1 per row (anything &gt; 0.5 counts as positive).</param>
    /// <param name="scores">Any monotone score: probability or logit.</param>
    /// <returns>The AUC, or NaN when all labels belong to one class.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, or a score is NaN.</exception>
    public static double RocAuc(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores) => RocAuc(labels, scores, ReadOnlySpan<float>.Empty);

    /// <summary>
    /// The weighted area under the ROC curve: Σ over (positive i, negative j) of wᵢ·wⱼ·([sᵢ &gt; sⱼ] + ½[sᵢ = sⱼ]),
    /// divided by (Σ positive weights)·(Σ negative weights). With empty <paramref name="weights"/> every row
    /// weighs 1, which is <see cref="RocAuc(ReadOnlySpan{float}, ReadOnlySpan{float})"/>. O(n log n).
    /// </summary>
    /// <returns>The AUC, or NaN when the positive or the negative weights sum to 0.</returns>
    /// <exception cref="ArgumentException">The spans differ in length, or a score is NaN.</exception>
    public static double RocAuc(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores, ReadOnlySpan<float> weights)
    {
        CheckLengths(labels, scores, weights);
        int n = scores.Length;
        var order = new int[n];
        var keys = scores.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (float.IsNaN(keys[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            order[i] = i;
        }
        Array.Sort(keys, order);
        // Ascending by score: each group of tied scores beats the negative weight below it, and ties half of its own.
        double negativesBelow = 0, pairs = 0, positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            double groupPositives = 0, groupNegatives = 0;
            for (int k = start; k <= end; k++)
            {
                double w = weights.IsEmpty ? 1 : weights[order[k]];
                if (labels[order[k]] > 0.5f) groupPositives += w;
                else groupNegatives += w;
            }
            pairs += groupPositives * (negativesBelow + 0.5 * groupNegatives);
            negativesBelow += groupNegatives;
            positives += groupPositives;
            start = end + 1;
        }
        double negatives = negativesBelow;
        if (positives == 0 || negatives == 0) return double.NaN;
        return pairs / (positives * negatives);
    }

    /// <summary>
    /// Mean binary cross-entropy −[y·log p + (1 − y)·log(1 − p)] of probabilities, with p clipped
    /// to [1e-7, 1 − 1e-7] so that a confident mistake costs a large but finite amount.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double LogLoss(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities) => LogLoss(labels, probabilities, ReadOnlySpan<float>.Empty);

    /// <summary>The weighted mean Σ wᵢ·ℓᵢ / Σ wᵢ of the binary cross-entropies of <see cref="LogLoss(ReadOnlySpan{float}, ReadOnlySpan{float})"/> (empty weights: all 1); NaN when the weights sum to 0.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double LogLoss(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> weights)
    {
        CheckLengths(labels, probabilities, weights);
        double sum = 0, weightSum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double p = Math.Clamp(probabilities[i], 1e-7, 1 - 1e-7), y = labels[i], w = weights.IsEmpty ? 1 : weights[i];
            sum -= w * (y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
            weightSum += w;
        }
        return weightSum == 0 ? double.NaN : sum / weightSum;
    }

    /// <summary>Mean of (prediction − label)², in double.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions) => MeanSquaredError(labels, predictions, ReadOnlySpan<float>.Empty);

    /// <summary>The weighted mean Σ wᵢ·(predictionᵢ − labelᵢ)² / Σ wᵢ (empty weights: all 1), in double; NaN when the weights sum to 0.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions, ReadOnlySpan<float> weights)
    {
        CheckLengths(labels, predictions, weights);
        double sum = 0, weightSum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double d = (double)predictions[i] - labels[i], w = weights.IsEmpty ? 1 : weights[i];
            sum += w * d * d;
            weightSum += w;
        }
        return weightSum == 0 ? double.NaN : sum / weightSum;
    }

    /// <summary>√<see cref="MeanSquaredError(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double RootMeanSquaredError(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions) =>
        Math.Sqrt(MeanSquaredError(labels, predictions));

    private static void CheckLengths(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions, ReadOnlySpan<float> weights)
    {
        if (labels.Length != predictions.Length)
            throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions.");
        if (!weights.IsEmpty && weights.Length != labels.Length)
            throw new ArgumentException($"{labels.Length} labels but {weights.Length} weights.");
    }
}

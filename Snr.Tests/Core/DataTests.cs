namespace Snr.Tests.Core;

public class DataTests
{
    [Fact]
    public void Synthetic_labels_correlate_more_as_p_grows_and_repeat_for_the_same_seeds()
    {
        double Correlation(double p)
        {
            var data = SyntheticMmoeData.Generate(4000, p, problemSeed: 3, rowSeed: 4, CoreTestModels.SmallSynthetic);
            return Pearson(data.Labels(0), data.Labels(1));
        }
        double same = Correlation(1.0), half = Correlation(0.5), none = Correlation(0.0);
        Assert.True(same > 0.97, $"p = 1 gives label correlation {same:F3}: the tasks differ only by their noise (σ = 0.1 against a label sd near 1)");
        Assert.True(same > half && half > none, $"correlations {same:F3}, {half:F3}, {none:F3} do not fall with p");

        var a = SyntheticMmoeData.Generate(50, 0.5, 1, 2);
        var b = SyntheticMmoeData.Generate(50, 0.5, 1, 2);
        Assert.Equal(100, a.NumericCount);
        Assert.Equal(["task1", "task2"], a.TaskNames);
        Assert.True(a.Numeric.SequenceEqual(b.Numeric) && a.Labels(1).SequenceEqual(b.Labels(1)));
        var otherRows = SyntheticMmoeData.Generate(50, 0.5, 1, 3);
        Assert.False(a.Numeric.SequenceEqual(otherRows.Numeric));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMmoeData.Generate(10, 1.5, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMmoeData.Generate(10, 0.5, 1, 2, new SyntheticMmoeOptions { Dimension = 1 }));
    }

    [Fact]
    public void Split_partitions_the_rows_reproducibly()
    {
        var data = RowIds(100);
        var (train, validation) = data.Split(0.2, seed: 9);
        Assert.Equal(80, train.Count);
        Assert.Equal(20, validation.Count);
        var ids = train.Numeric.ToArray().Concat(validation.Numeric.ToArray()).Select(v => (int)v).Order();
        Assert.Equal(Enumerable.Range(0, 100), ids);
        for (int i = 0; i < validation.Count; i++)
            Assert.Equal(validation.Numeric[i] * 10, validation.Labels(0)[i]);   // labels travel with their rows
        Assert.True(validation.Numeric.SequenceEqual(data.Split(0.2, seed: 9).Validation.Numeric));
        Assert.False(validation.Numeric.SequenceEqual(data.Split(0.2, seed: 10).Validation.Numeric));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RowIds(3).Split(0.1, 1));
    }

    [Fact]
    public void Permutations_are_permutations_and_depend_on_seed_and_stream()
    {
        var a = new int[1000];
        Shuffle.Permutation(a, seed: 1, stream: 1);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        var b = new int[1000];
        Shuffle.Permutation(b, seed: 1, stream: 1);
        Assert.Equal(a, b);
        Shuffle.Permutation(b, seed: 1, stream: 2);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Batches_copy_rows_and_bad_data_is_rejected()
    {
        var data = RowIds(10);
        var features = new float[3];
        var labels = new float[3];
        data.CopyInputs([7, 2, 9], features, []);
        data.CopyLabels(0, [7, 2, 9], labels);
        Assert.Equal([7f, 2f, 9f], features);
        Assert.Equal([70f, 20f, 90f], labels);
        Assert.Throws<ArgumentException>(() => data.CopyInputs([1], features, []));
        var mixed = new MultiTaskDataset([0.5f, 1.5f], 1, [4, 7], 1, ["y"], [[0f, 1f]]);
        var categories = new int[2];
        mixed.CopyInputs([1, 0], features.AsSpan(0, 2), categories);
        Assert.Equal([7, 4], categories);
        Assert.Throws<ArgumentException>(() => new MultiTaskDataset([0.5f], 1, [-1], 1, ["y"], [[0f]]));
        Assert.Throws<ArgumentException>(() => new MultiTaskDataset([1f, 2f, 3f], 2, ["a"], [new float[1]]));
        Assert.Throws<ArgumentException>(() => new MultiTaskDataset([1f, 2f], 1, ["a"], [new[] { 0f, float.PositiveInfinity }]));
        Assert.True(MultiTaskDataset.IsMissing(new MultiTaskDataset([1f, 2f], 1, ["a"], [new[] { 0f, float.NaN }]).Labels(0)[1])); // NaN: a missing label (issue 16)
        Assert.Throws<ArgumentException>(() => new MultiTaskDataset([1f, 2f], 1, ["a", "b"], [new float[2]]));
        Assert.Throws<KeyNotFoundException>(() => data.TaskIndex("nope"));
    }

    // One feature (the row's index) and one label (ten times it).
    private static MultiTaskDataset RowIds(int rows) =>
        new(Enumerable.Range(0, rows).Select(i => (float)i).ToArray(), 1, ["y"], [Enumerable.Range(0, rows).Select(i => i * 10f).ToArray()]);

    private static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length;
        mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}

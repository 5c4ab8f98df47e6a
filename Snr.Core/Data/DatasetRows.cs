namespace Snr.Core.Data;

/// <summary>An in-memory dataset as a <see cref="IRowStream"/>: each epoch is a seeded permutation of all its rows (stream = the epoch number).</summary>
internal sealed class DatasetRows(MultiTaskDataset data) : IRowStream
{
    private readonly int[] _order = new int[data.Count];

    public int NumericCount => data.NumericCount;

    public int CategoricalCount => data.CategoricalCount;

    public IReadOnlyList<string> TaskNames => data.TaskNames;

    public long Count => data.Count;

    public IRowStreamEpoch Open(int epoch, ulong seed)
    {
        Shuffle.Permutation(_order, seed, stream: (ulong)epoch);
        return new DatasetReader(data, _order);
    }
}

namespace Snr.Autograd;

/// <summary>
/// The recorded ops of one kind on one tape, in recording order. Ops of one kind are stored unboxed side by side
/// and the list is cleared, not dropped, at reset, so recording an op allocates nothing once the list has grown.
/// </summary>
internal abstract class RecordedOps
{
    /// <summary>Runs the backward of the op at <paramref name="index"/>.</summary>
    public abstract void Backward(Tape tape, int index, Tensor output);

    /// <summary>Forgets every op (and the tensors they hold).</summary>
    public abstract void Clear();
}

/// <inheritdoc cref="RecordedOps"/>
internal sealed class RecordedOps<TOp> : RecordedOps where TOp : struct, IRecordedOp
{
    /// <summary>A number per op kind, an index into a tape's lists: assigned on the kind's first use in the process.</summary>
    public static readonly int Kind = RecordedOpKinds.Next();

    private TOp[] _ops = new TOp[4];
    private int _count;

    /// <summary>Appends <paramref name="op"/> and returns its index.</summary>
    public int Add(in TOp op)
    {
        if (_count == _ops.Length) Array.Resize(ref _ops, _count * 2);
        _ops[_count] = op;
        return _count++;
    }

    public override void Backward(Tape tape, int index, Tensor output) => _ops[index].Backward(tape, output);

    public override void Clear()
    {
        Array.Clear(_ops, 0, _count);
        _count = 0;
    }
}

internal static class RecordedOpKinds
{
    private static int s_count;

    public static int Next() => Interlocked.Increment(ref s_count) - 1;
}

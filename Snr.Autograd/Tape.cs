namespace Snr.Autograd;

/// <summary>
/// The reverse-mode tape: ops append an entry as they run; <see cref="Backward"/> walks the
/// entries from last to first, each one accumulating its inputs' gradients from its
/// output's. The tape also owns the tensors that ops return and recycles them (with their
/// buffers) on <see cref="Reset"/>, so a steady-state training step allocates nothing.
/// </summary>
/// <remarks>
/// Each thread has its own tape, <see cref="Current"/>. The training loop is
/// <c>forward → loss.Backward() → optimizer step → Tape.Current.Reset()</c>. Results of ops
/// are valid until that reset; parameters and tensors you created yourself are never touched by it.
/// </remarks>
public sealed class Tape
{
    [ThreadStatic] private static Tape? t_current;
    [ThreadStatic] private static int t_noGradDepth;

    private readonly List<TapeEntry> _entries = [];
    private RecordedOps?[] _opsByKind = new RecordedOps?[32];
    private readonly List<Tensor> _results = [];
    private int _resultsInUse;
    private readonly ExactSizePool<float> _floats = new();
    private readonly ExactSizePool<int> _ints = new();
    private readonly ExactSizePool<Tensor> _tensorArrays = new();

    /// <summary>This thread's tape.</summary>
    public static Tape Current => t_current ??= new Tape();

    /// <summary>False inside a <see cref="NoGrad"/> scope: ops then record nothing and return ordinary tensors.</summary>
    public static bool IsGradEnabled => t_noGradDepth == 0;

    /// <summary>
    /// Disables recording on this thread until the returned scope is disposed (scopes nest).
    /// Use it for inference and for finite-difference evaluations.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Re-enables recording (if this was the outermost scope).</summary>
        public void Dispose() => t_noGradDepth--;
    }

    /// <summary>Number of ops recorded since the last <see cref="Reset"/>.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Forgets every recorded op and recycles every tensor that ops returned since the last
    /// reset. Gradients already accumulated into your own tensors (parameters) stay.
    /// </summary>
    public void Reset()
    {
        _entries.Clear();
        foreach (var ops in _opsByKind) ops?.Clear();
        _resultsInUse = 0;
        _floats.ReturnAll(clear: false);
        _ints.ReturnAll(clear: false);
        _tensorArrays.ReturnAll(clear: true);
    }

    /// <summary>
    /// Back-propagates from <paramref name="root"/>: its gradient is increased by
    /// <paramref name="seed"/> (by 1 when empty, for a scalar), then every recorded op from
    /// the last to the first passes its output's gradient to its inputs. Gradients of your
    /// own tensors accumulate across calls; those of intermediate results start from zero
    /// at each call.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The root is not a one-element tensor and no seed is given, or nothing it depends on requires a gradient.
    /// </exception>
    /// <exception cref="ArgumentException">The seed's length is not the root's size.</exception>
    public void Backward(Tensor root, ReadOnlySpan<float> seed)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (seed.IsEmpty && root.Size != 1)
            throw new InvalidOperationException(
                $"Backward() without a seed gradient needs a scalar loss, but this tensor has shape {root.Shape}. " +
                $"Reduce it to a scalar (Ops.Sum, Ops.Mean) or pass a seed of {root.Size} values.");
        if (!seed.IsEmpty && seed.Length != root.Size)
            throw new ArgumentException($"The seed has {seed.Length} values but the tensor has shape {root.Shape} ({root.Size} elements).", nameof(seed));
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                $"The tensor {root.Shape} does not require a gradient: no tensor it was computed from has RequiresGrad set, " +
                "or it was computed under Tape.NoGrad().");

        foreach (var entry in _entries)
            if (entry.Output.GradBuffer is not null) entry.Output.Grad.Clear();

        Span<float> rootGrad = GradOf(root);
        if (seed.IsEmpty) rootGrad[0] += 1f;
        else for (int i = 0; i < seed.Length; i++) rootGrad[i] += seed[i];

        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            var entry = _entries[i];
            if (entry.Output.GradBuffer is not null) entry.Ops.Backward(this, entry.Index, entry.Output);
        }
    }

    /// <summary>The gradient of <paramref name="t"/>, allocated as zeros on first use.</summary>
    internal Span<float> GradOf(Tensor t)
    {
        if (t.GradBuffer is null)
        {
            if (t.IsTapeOwned)
            {
                t.GradBuffer = RentFloats(t.Size);
                t.Grad.Clear();
            }
            else
            {
                t.GradBuffer = new float[t.Size];
            }
        }
        return t.Grad;
    }

    /// <summary>A tape-owned result tensor with unspecified contents, recycled at <see cref="Reset"/>.</summary>
    internal Tensor NewResult(Shape shape, bool requiresGrad)
    {
        float[] buffer = RentFloats(shape.Size);
        if (_resultsInUse < _results.Count)
        {
            var t = _results[_resultsInUse++];
            t.Reuse(shape, buffer, requiresGrad);
            return t;
        }
        var fresh = new Tensor(shape, buffer, requiresGrad, tapeOwned: true);
        _results.Add(fresh);
        _resultsInUse++;
        return fresh;
    }

    /// <summary>Records that <paramref name="op"/> produced <paramref name="output"/>; its backward runs in <see cref="Backward"/>.</summary>
    internal void Record<TOp>(Tensor output, in TOp op) where TOp : struct, IRecordedOp
    {
        int kind = RecordedOps<TOp>.Kind;
        if (kind >= _opsByKind.Length) Array.Resize(ref _opsByKind, Math.Max(kind + 1, _opsByKind.Length * 2));
        var ops = (RecordedOps<TOp>)(_opsByKind[kind] ??= new RecordedOps<TOp>());
        _entries.Add(new TapeEntry(output, ops, ops.Add(in op)));
    }

    /// <summary>An int array of exactly <paramref name="length"/>, recycled at <see cref="Reset"/>.</summary>
    internal int[] RentInts(int length) => _ints.Rent(length);

    /// <summary>A tensor array of exactly <paramref name="length"/>, recycled at <see cref="Reset"/>.</summary>
    internal Tensor[] RentTensors(int length) => _tensorArrays.Rent(length);

    /// <summary>A float array of exactly <paramref name="length"/>, recycled at <see cref="Reset"/>.</summary>
    internal float[] RentFloats(int length) => _floats.Rent(length);
}

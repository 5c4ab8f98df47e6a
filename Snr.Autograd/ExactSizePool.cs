namespace Snr.Autograd;

/// <summary>
/// Arrays kept by exact length for reuse, lent until the next <see cref="ReturnAll"/>. A training step asks
/// for the same lengths every time, so after the first step every request is served from the pool and nothing
/// is allocated. Not thread-safe: each <see cref="Tape"/> has its own.
/// </summary>
internal sealed class ExactSizePool<T>
{
    private readonly Dictionary<int, Stack<T[]>> _free = new();
    private readonly List<T[]> _lent = [];

    /// <summary>An array of exactly <paramref name="length"/> elements, with unspecified contents, lent until <see cref="ReturnAll"/>.</summary>
    public T[] Rent(int length)
    {
        if (length == 0) return [];
        var array = _free.TryGetValue(length, out var stack) && stack.TryPop(out var free) ? free : new T[length];
        _lent.Add(array);
        return array;
    }

    /// <summary>Takes back every array lent since the last call, for later rents of the same lengths; cleared first when <paramref name="clear"/> (so that they hold no references).</summary>
    public void ReturnAll(bool clear)
    {
        foreach (var array in _lent)
        {
            if (clear) Array.Clear(array);
            if (!_free.TryGetValue(array.Length, out var stack))
                _free[array.Length] = stack = new Stack<T[]>();
            stack.Push(array);
        }
        _lent.Clear();
    }
}

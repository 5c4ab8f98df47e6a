namespace Snr.Autograd;

/// <summary>
/// Arrays kept by exact length for reuse. A training step asks for the same lengths every
/// time, so after the first step every request is served from the pool and nothing is
/// allocated. Not thread-safe: each <see cref="Tape"/> has its own.
/// </summary>
internal sealed class ExactSizePool<T>
{
    private readonly Dictionary<int, Stack<T[]>> _free = new();

    /// <summary>An array of exactly <paramref name="length"/> elements, with unspecified contents.</summary>
    public T[] Rent(int length)
    {
        if (length == 0) return [];
        return _free.TryGetValue(length, out var stack) && stack.TryPop(out var array) ? array : new T[length];
    }

    /// <summary>Gives an array back for a later <see cref="Rent"/> of the same length.</summary>
    public void Return(T[] array)
    {
        if (array.Length == 0) return;
        if (!_free.TryGetValue(array.Length, out var stack))
            _free[array.Length] = stack = new Stack<T[]>();
        stack.Push(array);
    }
}

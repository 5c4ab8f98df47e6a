namespace Snr.Kernels;

/// <summary>
/// Caps the threads that kernels use on the calling thread, whatever <c>maxThreads</c> a call
/// passes. Results never depend on it (kernels split work, never reductions); it exists to
/// prove exactly that, and to keep a service's request threads from competing for cores.
/// </summary>
/// <example><code>
/// using (KernelParallelism.Limit(1)) { trainer.Fit(data); }   // every kernel on the calling thread only
/// </code></example>
public static class KernelParallelism
{
    [ThreadStatic] private static int t_limit;

    /// <summary>The cap in force on this thread: 0 when none.</summary>
    public static int CurrentLimit => t_limit;

    /// <summary>Caps kernels called from this thread at <paramref name="maxThreads"/> until the returned scope is disposed.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxThreads"/> is less than 1.</exception>
    public static Scope Limit(int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        var scope = new Scope(t_limit);
        t_limit = maxThreads;
        return scope;
    }

    /// <summary>Restores the previous cap when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        /// <summary>Restores the cap that was in force before <see cref="Limit"/>.</summary>
        public void Dispose() => t_limit = _previous;
    }
}

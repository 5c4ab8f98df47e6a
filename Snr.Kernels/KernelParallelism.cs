namespace Snr.Kernels;

/// <summary>
/// Caps the threads that kernels use, whatever <c>maxThreads</c> a call passes: for the whole process
/// (<see cref="ProcessLimit"/>) and, taking precedence over it, for the calling thread (<see cref="Limit"/>).
/// Results never depend on it (kernels split work, never reductions); it exists to prove exactly that, and
/// to keep a service's request threads from competing for cores.
/// </summary>
/// <remarks>
/// The process-wide cap starts as the runtime configuration value <c>Snr.Kernels.MaxThreads</c> when the
/// application sets one (in its project: <c>&lt;RuntimeHostConfigurationOption Include="Snr.Kernels.MaxThreads" Value="1" /&gt;</c>),
/// and as no cap otherwise. A cap above <see cref="Environment.ProcessorCount"/> means all cores.
/// </remarks>
/// <example><code>
/// KernelParallelism.ProcessLimit = 1;                                    // a service: one core per request
/// using (KernelParallelism.Limit(2)) { trainer.Fit(data); }             // this thread's kernels: two cores
/// </code></example>
public static class KernelParallelism
{
    /// <summary>The name of the runtime configuration value that sets the initial <see cref="ProcessLimit"/>.</summary>
    public const string ConfigurationName = "Snr.Kernels.MaxThreads";

    [ThreadStatic] private static int t_limit;
    private static int s_processLimit = ParseConfiguredLimit(AppContext.GetData(ConfigurationName));

    /// <summary>
    /// The cap for every thread that has no <see cref="Limit"/> scope of its own: 0 when none. Set it once,
    /// at start-up; kernels already running keep the cap they started with.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is negative.</exception>
    public static int ProcessLimit
    {
        get => Volatile.Read(ref s_processLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref s_processLimit, value);
        }
    }

    /// <summary>The cap in force on this thread: its own <see cref="Limit"/> if any, else <see cref="ProcessLimit"/>; 0 when none.</summary>
    public static int CurrentLimit => t_limit > 0 ? t_limit : ProcessLimit;

    /// <summary>Caps kernels called from this thread at <paramref name="maxThreads"/> until the returned scope is disposed, whatever <see cref="ProcessLimit"/> is.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxThreads"/> is less than 1.</exception>
    public static Scope Limit(int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        var scope = new Scope(t_limit);
        t_limit = maxThreads;
        return scope;
    }

    /// <summary>The process limit that the runtime configuration value <paramref name="value"/> sets: 0 when there is none.</summary>
    /// <exception cref="InvalidOperationException">The value is not a number of threads.</exception>
    internal static int ParseConfiguredLimit(object? value)
    {
        if (value is null)
            return 0;
        if (!int.TryParse(value.ToString(), out int limit) || limit < 0)
            throw new InvalidOperationException($"The runtime configuration value {ConfigurationName} is '{value}', not a number of threads (0 or more).");
        return limit;
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

namespace Snr.Core.Models;

/// <summary>
/// The model kinds this library builds, by their command-line names, each with a sensible default
/// configuration. The defaults are sized to comparable parameter budgets (about 50 k weights in the shared part
/// for a 250-wide input) so that a comparison measures the architecture, not its size. Used by
/// <c>snr train</c> and <c>snr compare</c>.
/// </summary>
/// <remarks>
/// This list is the one registration a model kind needs; its configuration record builds its model
/// (<see cref="ModelConfig"/>) and its model writes its own serving nodes.
/// </remarks>
public static class DefaultModels
{
    private static readonly List<ModelKind> s_kinds =
    [
        // 3 level-0 sub-networks of 64, one routing level to a 32-wide block per task
        new("snr-trans", s => new SnrConfig
        {
            Variant = SnrVariant.Trans, Level0Blocks = 3, Level0Hidden = [64], Routing = [new RoutingLevelConfig(s.Tasks.Length, 32)],
        }),
        // the same sub-networks, gated identities, a 32-wide sub-network per task block
        new("snr-aver", s => new SnrConfig
        {
            Variant = SnrVariant.Aver, Level0Blocks = 3, Level0Hidden = [64], Routing = [new RoutingLevelConfig(s.Tasks.Length, 0, 32)],
        }),
        new("mmoe", s => new MmoeConfig { Experts = 3, ExpertHidden = [64] }),
        new("shared-bottom", s => new SharedBottomConfig { BottomHidden = [192, 32] }),
        new("single-task", s => new SingleTaskConfig { Hidden = [96] }),
    ];

    /// <summary>The model kinds, as the command line names them.</summary>
    public static IReadOnlyList<string> Kinds => [.. s_kinds.Select(k => k.Name)];

    /// <summary>
    /// The default configuration of <paramref name="kind"/> for the given inputs and tasks. Every task gets a
    /// 16-wide tower.
    /// </summary>
    /// <exception cref="ConfigException">Unknown kind; the message lists the known ones.</exception>
    public static ModelConfig Create(string kind, int numericInputs, InputEmbeddingConfig? embeddings, TaskConfig[] tasks, ulong seed)
    {
        var entry = s_kinds.FirstOrDefault(k => k.Name == kind)
            ?? throw new ConfigException("kind", $"unknown model '{kind}'; choose one of {string.Join(", ", Kinds)}");
        var shape = new ModelShape(numericInputs, embeddings, tasks, seed);
        return entry.Default(shape) with
        {
            NumericInputs = numericInputs, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16],
        };
    }

    /// <summary>Adds a model kind (one a test defines) until the returned scope is disposed.</summary>
    /// <exception cref="ArgumentException">A kind of that name exists.</exception>
    internal static IDisposable Register(ModelKind kind)
    {
        lock (s_kinds)
        {
            if (s_kinds.Any(k => k.Name == kind.Name)) throw new ArgumentException($"A model kind '{kind.Name}' is registered already.", nameof(kind));
            s_kinds.Add(kind);
        }
        return new Registration(kind);
    }

    private sealed class Registration(ModelKind kind) : IDisposable
    {
        public void Dispose()
        {
            lock (s_kinds) s_kinds.Remove(kind);
        }
    }
}

/// <summary>What a default configuration is made for: the inputs, the tasks and the seed.</summary>
internal sealed record ModelShape(int NumericInputs, InputEmbeddingConfig? Embeddings, TaskConfig[] Tasks, ulong Seed);

/// <summary>A model kind: its command-line name and its default architecture (inputs, tasks, towers and seed are filled in after).</summary>
internal sealed record ModelKind(string Name, Func<ModelShape, ModelConfig> Default);

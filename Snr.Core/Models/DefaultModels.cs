namespace Snr.Core.Models;

/// <summary>
/// Sensible default configurations of every model kind, sized to comparable parameter
/// budgets (about 50 k weights in the shared part for a 250-wide input) so that a comparison
/// measures the architecture, not its size. Used by <c>snr train</c> and <c>snr compare</c>.
/// </summary>
public static class DefaultModels
{
    /// <summary>The model kinds, as the command line names them.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["snr-trans", "snr-aver", "mmoe", "shared-bottom", "single-task"];

    /// <summary>
    /// The default configuration of <paramref name="kind"/>:
    /// SNR-Trans — 8 level-0 sub-networks of 20, two routing levels (8 blocks of 12, then a 32-wide block per task;
    /// narrow blocks give a budget fine steps: its smallest feasible budget is about 0.13 of the dense cost);
    /// SNR-Aver — 4 level-0 sub-networks of 48, two routing levels of gated identities, each followed by a 32-wide sub-network per block (4, then one per task);
    /// MMoE — 3 experts of 64; Shared-Bottom — a 192 → 32 bottom; single-task — a 96-wide network per task.
    /// Every task gets a 16-wide tower.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown kind; the message lists the known ones.</exception>
    public static ModelConfig Create(string kind, int inputDim, InputEmbeddingConfig? embeddings, TaskConfig[] tasks, ulong seed) => kind switch
    {
        "snr-trans" => new SnrConfig
        {
            InputDim = inputDim, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16],
            Variant = SnrVariant.Trans, Level0Blocks = 8, Level0Hidden = [20],
            Routing = [new RoutingLevelConfig(8, 12), new RoutingLevelConfig(tasks.Length, 32)],
        },
        "snr-aver" => new SnrConfig
        {
            InputDim = inputDim, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16],
            Variant = SnrVariant.Aver, Level0Blocks = 4, Level0Hidden = [48],
            Routing = [new RoutingLevelConfig(4, 0, 32), new RoutingLevelConfig(tasks.Length, 0, 32)],
        },
        "mmoe" => new MmoeConfig
        {
            InputDim = inputDim, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16], Experts = 3, ExpertHidden = [64],
        },
        "shared-bottom" => new SharedBottomConfig
        {
            InputDim = inputDim, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16], BottomHidden = [192, 32],
        },
        "single-task" => new SingleTaskConfig
        {
            InputDim = inputDim, Embeddings = embeddings, Tasks = tasks, Seed = seed, TowerHidden = [16], Hidden = [96],
        },
        _ => throw new ArgumentException($"Unknown model '{kind}'; choose one of {string.Join(", ", Kinds)}.", nameof(kind)),
    };
}

namespace Snr.Tests.Core;

/// <summary>Small configurations and data shared by the Core tests (small enough for the naive GEMM).</summary>
internal static class CoreTestModels
{
    public static readonly TaskConfig[] Regression = [new("task1", TaskKind.Regression), new("task2", TaskKind.Regression)];
    public static readonly TaskConfig[] Binary = [new("click", TaskKind.Binary), new("buy", TaskKind.Binary)];

    public static SharedBottomConfig SharedBottom(int d, TaskConfig[] tasks, ulong seed = 1) =>
        new() { NumericInputs = d, Tasks = tasks, BottomHidden = [16], TowerHidden = [8], Seed = seed };

    public static MmoeConfig Mmoe(int d, TaskConfig[] tasks, ulong seed = 1) =>
        new() { NumericInputs = d, Tasks = tasks, Experts = 4, ExpertHidden = [8], TowerHidden = [8], Seed = seed };

    public static SingleTaskConfig SingleTask(int d, TaskConfig[] tasks, ulong seed = 1) =>
        new() { NumericInputs = d, Tasks = tasks, Hidden = [8], TowerHidden = [8], Seed = seed };

    public static SnrConfig SnrTrans(int d, TaskConfig[] tasks, ulong seed = 1) => new()
    {
        NumericInputs = d, Tasks = tasks, Variant = SnrVariant.Trans, Level0Blocks = 3, Level0Hidden = [8],
        Routing = [new RoutingLevelConfig(3, 8), new RoutingLevelConfig(tasks.Length, 8)], TowerHidden = [8], Seed = seed,
    };

    public static SnrConfig SnrAver(int d, TaskConfig[] tasks, ulong seed = 1) => new()
    {
        NumericInputs = d, Tasks = tasks, Variant = SnrVariant.Aver, Level0Blocks = 3, Level0Hidden = [8],
        Routing = [new RoutingLevelConfig(tasks.Length, 0, 8)], TowerHidden = [8], Seed = seed,
    };

    public static readonly SyntheticMmoeOptions SmallSynthetic = new() { Dimension = 16 };

    /// <summary>
    /// A binary two-task problem: click = [x·a &gt; 0], buy = [x·b + 0.5·x₀² &gt; 0.5] with a, b fixed
    /// random directions — learnable, correlated, not linear.
    /// </summary>
    public static MultiTaskDataset BinaryData(int rows, int d, ulong seed)
    {
        var rng = new Snr.Kernels.CounterRng(seed);
        var x = new float[rows * d];
        rng.FillNormal(x, stream: 1);
        var a = new float[d];
        var b = new float[d];
        new Snr.Kernels.CounterRng(99).FillNormal(a, stream: 2);
        new Snr.Kernels.CounterRng(99).FillNormal(b, stream: 3);
        var click = new float[rows];
        var buy = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            float sa = 0, sb = 0;
            for (int k = 0; k < d; k++)
            {
                sa += a[k] * x[r * d + k];
                sb += b[k] * x[r * d + k];
            }
            float x0 = x[r * d];
            click[r] = sa > 0 ? 1 : 0;
            buy[r] = sb + 0.5f * x0 * x0 > 0.5f ? 1 : 0;
        }
        return new MultiTaskDataset(x, d, ["click", "buy"], [click, buy]);
    }
}

namespace Snr.Core.Models;

/// <summary>How an SNR routing level connects sub-networks.</summary>
public enum SnrVariant
{
    /// <summary>SNR-Trans: v_i = Σ_j z_ij·W_ij·u_j + b_i, then ReLU (a dense layer cut into gated blocks).</summary>
    Trans,

    /// <summary>SNR-Aver: v_i = Σ_j z_ij·u_j (identity connections), then a sub-network MLP per block.</summary>
    Aver,
}

/// <summary>One routing level of an SNR network.</summary>
public sealed record RoutingLevelConfig
{
    /// <summary>Output blocks K of this level; the last level must have one per task.</summary>
    public int Blocks { get; set; }

    /// <summary>
    /// SNR-Trans: the width of each output block. SNR-Aver: must be 0 (identity connections keep
    /// the input block width).
    /// </summary>
    public int Width { get; set; }

    /// <summary>
    /// Widths of the sub-network MLP applied to each output block after routing (ReLU after every
    /// layer). SNR-Aver needs at least one layer, since its connections carry no parameters;
    /// for SNR-Trans it may be empty.
    /// </summary>
    public int[] Hidden { get; set; } = [];

    /// <summary>Creates an empty level (for JSON).</summary>
    public RoutingLevelConfig() { }

    /// <summary>Creates a level.</summary>
    public RoutingLevelConfig(int blocks, int width, params int[] hidden)
    {
        Blocks = blocks;
        Width = width;
        Hidden = hidden;
    }
}

/// <summary>
/// An SNR network (Ma et al., AAAI 2019): level-0 sub-networks read the input without gates,
/// then routing levels whose connections carry hard-concrete coding variables; the last level has
/// one output block per task, which feeds that task's tower.
/// </summary>
public sealed record SnrConfig : ModelConfig
{
    /// <summary>Trans or Aver (every routing level uses it).</summary>
    public SnrVariant Variant { get; set; } = SnrVariant.Trans;

    /// <summary>Number of level-0 sub-networks.</summary>
    public int Level0Blocks { get; set; }

    /// <summary>Widths of each level-0 sub-network (an MLP on the input, ReLU after every layer); at least one.</summary>
    public int[] Level0Hidden { get; set; } = [];

    /// <summary>The routing levels, bottom to top; at least one.</summary>
    public RoutingLevelConfig[] Routing { get; set; } = [];

    /// <summary>The initial log_alpha of every connection (0 gives serving gates of 0.5 and P(z ≠ 0) ≈ 0.83).</summary>
    public float InitialLogAlpha { get; set; }

    /// <summary>Hard-concrete temperature β.</summary>
    public float Beta { get; set; } = 2f / 3f;

    /// <summary>Hard-concrete stretch lower end γ &lt; 0.</summary>
    public float Gamma { get; set; } = -0.1f;

    /// <summary>Hard-concrete stretch upper end ζ &gt; 1.</summary>
    public float Zeta { get; set; } = 1.1f;

    /// <inheritdoc/>
    public override string KindName => Variant == SnrVariant.Trans ? "snr-trans" : "snr-aver";

    internal override MultiTaskModel Build() => new SnrModel(this);

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Variant)) throw new ConfigException("variant", $"unknown variant {(int)Variant}");
        if (Level0Blocks <= 0) throw new ConfigException("level0_blocks", $"must be positive, got {Level0Blocks}");
        RequireWidths("level0_hidden", Level0Hidden, allowEmpty: false);
        if (Routing is null || Routing.Length == 0) throw new ConfigException("routing", "at least one routing level is needed");
        for (int l = 0; l < Routing.Length; l++)
        {
            var level = Routing[l] ?? throw new ConfigException($"routing[{l}]", "is null");
            if (level.Blocks <= 0) throw new ConfigException($"routing[{l}].blocks", $"must be positive, got {level.Blocks}");
            if (Variant == SnrVariant.Trans && level.Width <= 0)
                throw new ConfigException($"routing[{l}].width", $"SNR-Trans needs a positive block width, got {level.Width}");
            if (Variant == SnrVariant.Aver && level.Width != 0)
                throw new ConfigException($"routing[{l}].width", $"must be 0 for SNR-Aver (identity connections keep the block width), got {level.Width}");
            RequireWidths($"routing[{l}].hidden", level.Hidden, allowEmpty: Variant == SnrVariant.Trans);
        }
        if (Routing[^1].Blocks != Tasks.Length)
            throw new ConfigException($"routing[{Routing.Length - 1}].blocks", $"the last routing level needs one block per task ({Tasks.Length}), got {Routing[^1].Blocks}");
        if (!(Beta > 0)) throw new ConfigException("beta", $"must be positive, got {Beta}");
        if (!(Gamma < 0)) throw new ConfigException("gamma", $"must be negative, got {Gamma}");
        if (!(Zeta > 1)) throw new ConfigException("zeta", $"must be greater than 1, got {Zeta}");
        if (!float.IsFinite(InitialLogAlpha)) throw new ConfigException("initial_log_alpha", $"must be finite, got {InitialLogAlpha}");
    }
}

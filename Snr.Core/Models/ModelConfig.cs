using System.Text.Json.Serialization;

namespace Snr.Core.Models;

/// <summary>
/// What every multi-task model shares: the input width, the tasks, the towers and the
/// initialisation seed. The concrete records (<see cref="SharedBottomConfig"/>,
/// <see cref="MmoeConfig"/>, <see cref="SnrConfig"/>, <see cref="SingleTaskConfig"/>) add the
/// architecture; in JSON a <c>"kind"</c> field tells them apart.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SharedBottomConfig), "shared_bottom")]
[JsonDerivedType(typeof(MmoeConfig), "mmoe")]
[JsonDerivedType(typeof(SnrConfig), "snr")]
[JsonDerivedType(typeof(SingleTaskConfig), "single_task")]
public abstract record ModelConfig : IJsonOnDeserialized
{
    /// <summary>Numeric inputs per row (standardised features).</summary>
    public int NumericInputs { get; set; }

    /// <summary>
    /// One embedding table per categorical input (read as <c>int</c> category indices), or null when every
    /// input is numeric.
    /// </summary>
    public InputEmbeddingConfig? Embeddings { get; init; }

    /// <summary>Categorical inputs per row: one per embedding table.</summary>
    [JsonIgnore]
    public int CategoricalInputs => Embeddings?.Cardinalities.Length ?? 0;

    /// <summary>The input width: what the model's first layers see, the numeric inputs plus every embedding's width.</summary>
    [JsonIgnore]
    public int InputWidth => NumericInputs + (Embeddings?.Dims.Sum() ?? 0);

    /// <summary>
    /// Reads configurations saved before <see cref="NumericInputs"/> existed, whose <c>input_dim</c> counted
    /// the numeric and categorical columns together.
    /// </summary>
    [JsonPropertyName("input_dim")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LegacyInputDim { get; set; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (LegacyInputDim is int columns && NumericInputs == 0) NumericInputs = columns - CategoricalInputs;
        LegacyInputDim = null;
    }

    /// <summary>The tasks, in output order.</summary>
    public TaskConfig[] Tasks { get; set; } = [];

    /// <summary>Hidden widths of each task's tower (ReLU after each), before its one-unit head. May be empty.</summary>
    public int[] TowerHidden { get; set; } = [];

    /// <summary>The seed of the initial weights (and, for SNR, of the gate noise).</summary>
    public ulong Seed { get; set; }

    /// <summary>The command-line name of the model kind (<c>snr-trans</c>, <c>mmoe</c>, …).</summary>
    [JsonIgnore]
    public abstract string KindName { get; }

    /// <summary>
    /// The same architecture with every shared width scaled by <paramref name="scale"/> (rounded, at least 1), for
    /// comparing at a matched serving cost; null for a kind without uniformly scalable shared widths (SNR, whose
    /// cost is set by its gates).
    /// </summary>
    public virtual ModelConfig? Narrowed(double scale) => null;

    /// <summary>Each width times <paramref name="scale"/>, rounded, at least 1.</summary>
    private protected static int[] Scaled(int[] widths, double scale) => [.. widths.Select(w => Math.Max(1, (int)Math.Round(w * scale)))];

    /// <summary>Builds the (uninitialised) model this configuration describes; validates first.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    internal abstract MultiTaskModel Build();

    /// <summary>
    /// Checks every field; the exception names the first offending one by its JSON path.
    /// </summary>
    /// <exception cref="ConfigException">A field is out of range or inconsistent.</exception>
    public virtual void Validate()
    {
        if (NumericInputs < 0) throw new ConfigException("numeric_inputs", $"must not be negative, got {NumericInputs}");
        Embeddings?.Validate();
        if (NumericInputs + CategoricalInputs == 0) throw new ConfigException("numeric_inputs", "the model needs at least one numeric or categorical input");
        if (Tasks is null || Tasks.Length == 0) throw new ConfigException("tasks", "at least one task is needed");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < Tasks.Length; t++)
        {
            var task = Tasks[t] ?? throw new ConfigException($"tasks[{t}]", "is null");
            if (string.IsNullOrEmpty(task.Name) || !task.Name.All(IsNameCharacter))
                throw new ConfigException($"tasks[{t}].name", $"'{task.Name}' must be non-empty and contain only letters, digits, '_' or '-'");
            if (!names.Add(task.Name)) throw new ConfigException($"tasks[{t}].name", $"'{task.Name}' is used by another task");
            if (!Enum.IsDefined(task.Kind)) throw new ConfigException($"tasks[{t}].kind", $"unknown kind {(int)task.Kind}");
        }
        RequireWidths("tower_hidden", TowerHidden, allowEmpty: true);
    }

    /// <summary>Throws unless every width is positive (and, unless allowed, there is at least one).</summary>
    protected static void RequireWidths(string field, int[]? widths, bool allowEmpty)
    {
        if (widths is null) throw new ConfigException(field, "is null");
        if (!allowEmpty && widths.Length == 0) throw new ConfigException(field, "at least one width is needed");
        for (int i = 0; i < widths.Length; i++)
            if (widths[i] <= 0) throw new ConfigException($"{field}[{i}]", $"must be positive, got {widths[i]}");
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}

/// <summary>Shared-Bottom: one shared MLP (ReLU after every layer) read by every tower.</summary>
public sealed record SharedBottomConfig : ModelConfig
{
    /// <summary>Widths of the shared MLP's layers (at least one).</summary>
    public int[] BottomHidden { get; set; } = [];

    /// <inheritdoc/>
    public override string KindName => "shared-bottom";

    internal override MultiTaskModel Build() => new SharedBottomModel(this);

    /// <inheritdoc/>
    public override ModelConfig Narrowed(double scale) => this with { BottomHidden = Scaled(BottomHidden, scale) };

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequireWidths("bottom_hidden", BottomHidden, allowEmpty: false);
    }
}

/// <summary>MMoE (Ma et al., KDD 2018): E expert MLPs on the input, one softmax gate per task over them.</summary>
public sealed record MmoeConfig : ModelConfig
{
    /// <summary>The number of experts E (at least 1).</summary>
    public int Experts { get; set; }

    /// <summary>Widths of each expert's layers (ReLU after every layer); the last is the mixture's width.</summary>
    public int[] ExpertHidden { get; set; } = [];

    /// <inheritdoc/>
    public override string KindName => "mmoe";

    internal override MultiTaskModel Build() => new MmoeModel(this);

    /// <inheritdoc/>
    public override ModelConfig Narrowed(double scale) => this with { ExpertHidden = Scaled(ExpertHidden, scale) };

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (Experts <= 0) throw new ConfigException("experts", $"must be positive, got {Experts}");
        RequireWidths("expert_hidden", ExpertHidden, allowEmpty: false);
    }
}

/// <summary>The single-task baseline: one independent network (MLP, then tower) per task.</summary>
public sealed record SingleTaskConfig : ModelConfig
{
    /// <summary>Widths of each task's own network before its tower (ReLU after every layer). May be empty.</summary>
    public int[] Hidden { get; set; } = [];

    /// <inheritdoc/>
    public override string KindName => "single-task";

    internal override MultiTaskModel Build() => new SingleTaskModel(this);

    /// <inheritdoc/>
    public override ModelConfig Narrowed(double scale) => this with { Hidden = Scaled(Hidden, scale) };

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        RequireWidths("hidden", Hidden, allowEmpty: true);
    }
}

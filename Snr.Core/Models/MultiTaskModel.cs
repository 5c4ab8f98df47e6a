using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Models;

/// <summary>
/// A network that maps a batch of input rows to one output per task: a logit for a binary
/// task, a value for a regression task. Every model ends in one tower per task
/// (<c>towers.{task}</c>, an MLP whose last layer is the one-unit head).
/// </summary>
/// <remarks>
/// <see cref="Forward(Tensor, ReadOnlySpan{int}, bool)"/> records onto <see cref="Tape.Current"/> like any op; its outputs are valid until the
/// tape's reset. Its <c>training</c> argument selects sampled (training) or deterministic (serving) SNR gates;
/// the other models behave the same in both modes. Predictions, metrics and serving all go through the
/// compiled <see cref="Predictor"/>, which each model kind writes its own serving nodes for. The model kinds
/// are the ones this library registers (<see cref="DefaultModels"/>); the class cannot be derived from outside it.
/// </remarks>
public abstract class MultiTaskModel : Module
{
    private readonly Tensor[] _outputs;
    private readonly Mlp[] _towers;

    /// <summary>Validates the configuration and builds the towers on top of <paramref name="towerInput"/>-wide task inputs.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    private protected MultiTaskModel(ModelConfig config, int towerInput)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _outputs = new Tensor[config.Tasks.Length];
        if (config.Embeddings is not null) Input = AddModule("input", new InputEmbedding(config.Embeddings));
        int[] widths = [.. config.TowerHidden, 1];
        _towers = AddModules("towers", config.Tasks.Length, _ => new Mlp(towerInput, widths, activateLast: false), TaskNames);
    }

    /// <summary>Validates <paramref name="config"/> and returns it, for derived constructors that read widths from it when calling this one.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    private protected static T Validated<T>(T config) where T : ModelConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return config;
    }

    /// <summary>The configuration the model was built from.</summary>
    public ModelConfig Config { get; }

    /// <summary>The embedding stage for categorical inputs, or null when every input is numeric.</summary>
    public InputEmbedding? Input { get; }

    /// <summary>The tasks, in output order.</summary>
    public IReadOnlyList<TaskConfig> Tasks => Config.Tasks;

    /// <summary>The task names, in output order (the names of per-task modules such as <c>towers.{task}</c>).</summary>
    private protected IReadOnlyList<string> TaskNames => [.. Tasks.Select(t => t.Name)];

    /// <summary>
    /// Runs the model: numeric: [batch, NumericInputs], categorical: [batch, CategoricalInputs] category indices
    /// (row-major; empty without categorical inputs) → one [batch, 1] tensor per task (logits or values), with
    /// sampled SNR gates when <paramref name="training"/> and serving gates otherwise. The returned span is
    /// reused by the next call.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs do not describe [batch, NumericInputs] and [batch, CategoricalInputs]; the message gives both shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A category index is outside its embedding table.</exception>
    public ReadOnlySpan<Tensor> Forward(Tensor numeric, ReadOnlySpan<int> categorical, bool training)
    {
        ArgumentNullException.ThrowIfNull(numeric);
        if (numeric.Shape.Rank != 2 || numeric.Cols != Config.NumericInputs || categorical.Length != numeric.Rows * Config.CategoricalInputs)
            throw new ArgumentException($"The model expects [batch, {Config.NumericInputs}] numeric and [batch, {Config.CategoricalInputs}] categorical inputs, " +
                $"got {numeric.Shape} and {categorical.Length} indices.", nameof(numeric));
        ForwardCore(Input is null ? numeric : Input.Forward(numeric, categorical), _outputs, training);
        return _outputs;
    }

    /// <summary>Runs a model whose inputs are all numeric: x: [batch, NumericInputs] (see <see cref="Forward(Tensor, ReadOnlySpan{int}, bool)"/>).</summary>
    /// <exception cref="ArgumentException">x is not a [batch, NumericInputs] matrix, or the model has categorical inputs.</exception>
    public ReadOnlySpan<Tensor> Forward(Tensor x, bool training) => Forward(x, ReadOnlySpan<int>.Empty, training);

    /// <summary>
    /// A regularisation term to add to the loss before it is scaled by λ (the expected L0 norm
    /// of the SNR gates), or null when the model has none.
    /// </summary>
    public virtual Tensor? Penalty() => null;

    /// <summary>Task t's tower (ending in its head).</summary>
    public Mlp Tower(int t) => _towers[t];

    /// <summary>The shared computation: fills outputs[t] with task t's [batch, 1] output.</summary>
    private protected abstract void ForwardCore(Tensor x, Tensor[] outputs, bool training);

    /// <summary>
    /// Writes the model's shared part as serving nodes (serving gates fixed) after the input node, and returns
    /// the node the towers read with the width of each task's block of it (0: every tower reads all of it).
    /// </summary>
    private protected abstract (int Node, int BlockWidth) WriteServingNodes(ServingGraphWriter graph);

    /// <summary>The model as it is now, written out as a serving graph (weights copied).</summary>
    internal ServingGraph ServingGraph()
    {
        var graph = new ServingGraphWriter(Config.InputWidth);
        var (shared, blockWidth) = WriteServingNodes(graph);
        // Towers: each reads its task's block (or, with block width 0, the whole shared output).
        int last = graph.AddMlps(shared, "towers", _towers, sharedInput: blockWidth == 0, activateLast: false, names: TaskNames);
        var outputs = Tasks.Select((t, i) => new TaskOutput(t.Name, last, i, t.Kind == TaskKind.Binary)).ToArray();
        EmbeddingTable[] embeddings = Input is null ? [] :
            [.. Input.Tables.Select((t, c) => new EmbeddingTable($"input.embeddings.{c}", t.Rows, t.Cols, t.Data.ToArray()))];
        return new ServingGraph(Config.NumericInputs, embeddings, graph.Nodes, outputs);
    }
}

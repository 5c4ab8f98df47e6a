using Snr.Autograd;
using Snr.Core.Modules;

namespace Snr.Core.Models;

/// <summary>
/// A network that maps a batch of input rows to one output per task: a logit for a binary
/// task, a value for a regression task. Every model ends in one tower per task
/// (<c>towers.{task}</c>, an MLP whose last layer is the one-unit head).
/// </summary>
/// <remarks>
/// <see cref="Forward"/> records onto <see cref="Tape.Current"/> like any op; its outputs are
/// valid until the tape's reset. <see cref="Training"/> selects sampled (training) or
/// deterministic (serving) SNR gates; the other models behave the same in both modes.
/// </remarks>
public abstract class MultiTaskModel : Module
{
    private readonly Tensor[] _outputs;
    private readonly Mlp[] _towers;

    /// <summary>Validates the configuration and builds the towers on top of <paramref name="towerInput"/>-wide task inputs.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    protected MultiTaskModel(ModelConfig config, int towerInput)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _outputs = new Tensor[config.Tasks.Length];
        if (config.Embeddings is not null) Input = AddModule("input", new InputEmbedding(config.InputDim, config.Embeddings));
        _towers = new Mlp[config.Tasks.Length];
        var towers = AddModule("towers", new ModuleList());
        int[] widths = [.. config.TowerHidden, 1];
        for (int t = 0; t < _towers.Length; t++)
            _towers[t] = towers.Add(config.Tasks[t].Name, new Mlp(towerInput, widths, activateLast: false));
    }

    /// <summary>The configuration the model was built from.</summary>
    public ModelConfig Config { get; }

    /// <summary>The embedding stage for categorical inputs, or null when every input is numeric.</summary>
    public InputEmbedding? Input { get; }

    /// <summary>The tasks, in output order.</summary>
    public IReadOnlyList<TaskConfig> Tasks => Config.Tasks;

    /// <summary>Training mode (sampled gates; the default) or serving mode (deterministic gates).</summary>
    public bool Training { get; set; } = true;

    /// <summary>
    /// Runs the model: x: [batch, input_dim] → one [batch, 1] tensor per task (logits or values).
    /// The returned span is reused by the next call.
    /// </summary>
    /// <exception cref="ArgumentException">x is not a [batch, input_dim] matrix.</exception>
    public ReadOnlySpan<Tensor> Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank != 2 || x.Cols != Config.InputDim)
            throw new ArgumentException($"The model expects [batch, {Config.InputDim}] inputs, got {x.Shape}.", nameof(x));
        ForwardCore(Input is null ? x : Input.Forward(x), _outputs);
        return _outputs;
    }

    /// <summary>
    /// A regularisation term to add to the loss before it is scaled by λ (the expected L0 norm
    /// of the SNR gates), or null when the model has none.
    /// </summary>
    public virtual Tensor? Penalty() => null;

    /// <summary>
    /// Multiply-add FLOPs to serve one row (2 per multiply-add; biases, activations and softmax
    /// not counted). SNR counts only live connections and sub-networks under the serving gates.
    /// </summary>
    public abstract long FlopsPerRow();

    /// <summary>
    /// Serving predictions for a batch, without recording gradients: per task, the probability
    /// sigmoid(logit) of a binary task or the value of a regression task. Uses serving gates and
    /// restores <see cref="Training"/> afterwards.
    /// </summary>
    /// <returns>result[task][row].</returns>
    public float[][] Predict(Tensor x)
    {
        bool training = Training;
        Training = false;
        try
        {
            using var _ = Tape.NoGrad();
            var outputs = Forward(x);
            var result = new float[outputs.Length][];
            for (int t = 0; t < outputs.Length; t++)
            {
                result[t] = outputs[t].Data.ToArray();
                if (Tasks[t].Kind == TaskKind.Binary)
                    System.Numerics.Tensors.TensorPrimitives.Sigmoid(result[t], result[t]);
            }
            return result;
        }
        finally
        {
            Training = training;
        }
    }

    /// <summary>The shared computation: fills outputs[t] with task t's [batch, 1] output.</summary>
    protected abstract void ForwardCore(Tensor x, Tensor[] outputs);

    /// <summary>Task t's tower (ending in its head).</summary>
    public Mlp Tower(int t) => _towers[t];

    /// <summary>FLOPs per row of all towers together.</summary>
    protected long TowerFlopsPerRow()
    {
        long sum = 0;
        foreach (var tower in _towers) sum += tower.FlopsPerRow;
        return sum;
    }
}

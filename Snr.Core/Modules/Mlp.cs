using Snr.Autograd;

namespace Snr.Core.Modules;

/// <summary>
/// A stack of <see cref="Linear"/> layers named <c>0</c>, <c>1</c>, …, with a ReLU after
/// every layer except, optionally, the last (a tower's last layer is its head: a logit or a value).
/// </summary>
public sealed class Mlp : Module
{
    private readonly Linear[] _layers;
    private readonly bool _activateLast;

    /// <summary>Creates the stack in → widths[0] → … → widths[^1].</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="widths">Output width of each layer; may be empty (then the MLP is the identity).</param>
    /// <param name="activateLast">Whether a ReLU follows the last layer too.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width is not positive.</exception>
    public Mlp(int inFeatures, ReadOnlySpan<int> widths, bool activateLast)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        _layers = new Linear[widths.Length];
        _activateLast = activateLast;
        int width = inFeatures;
        for (int i = 0; i < widths.Length; i++)
        {
            _layers[i] = AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Linear(width, widths[i]));
            width = widths[i];
        }
        InFeatures = inFeatures;
        OutFeatures = width;
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width (the input width when there are no layers).</summary>
    public int OutFeatures { get; }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>Runs the layers in order, with ReLU between them (and after the last when so configured).</summary>
    public Tensor Forward(Tensor x)
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].Forward(x);
            if (i < _layers.Length - 1 || _activateLast) x = Ops.Relu(x);
        }
        return x;
    }
}

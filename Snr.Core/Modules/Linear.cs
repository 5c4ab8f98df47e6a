using Snr.Autograd;

namespace Snr.Core.Modules;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b with W: [out, in] (<c>weight</c>) and b: [out] (<c>bias</c>),
/// PyTorch's layout and default initialisation (U(±1/√in) for both).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer (parameters are zero until <see cref="Module.Initialize"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A width is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var init = ParameterInit.KaimingUniform(inFeatures);
        Weight = AddParameter("weight", Shape.Matrix(outFeatures, inFeatures), init);
        Bias = bias ? AddParameter("bias", Shape.Vector(outFeatures), init) : null;
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>W: [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>b: [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = x·Wᵀ + b. x: [batch, in], y: [batch, out].</summary>
    /// <exception cref="ArgumentException">x's columns differ from <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias);
}

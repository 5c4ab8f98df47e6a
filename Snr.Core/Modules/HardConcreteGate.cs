using Snr.Autograd;
using Snr.Kernels;

namespace Snr.Core.Modules;

/// <summary>
/// The coding variables z of one SNR routing level: a [kOut, kIn] grid of hard-concrete gates
/// with a learnable <c>log_alpha</c> per connection (Louizos et al., 2018).
/// </summary>
/// <remarks>
/// In training mode every call to <see cref="Gates"/> draws one noise value per connection
/// (shared by the whole mini-batch, which is what lets a zero gate skip a whole block) from a
/// <see cref="CounterRng"/> at index step·connections + k, then advances the step. The noise
/// stream is derived from the model seed and the gate's name, so training is reproducible.
/// In serving mode the gates are the deterministic <see cref="Ops.ServingGates"/>.
/// Gates can be forced (<see cref="ForceOpen"/>, <see cref="ForceDiagonal"/>, <see cref="Force"/>)
/// for tests and benchmarks: forced connections take their fixed value in both modes and pass no gradient to log_alpha.
/// </remarks>
public sealed class HardConcreteGate : Module
{
    private readonly float[] _noise;
    private CounterRng _rng;
    private ulong _stream;
    private float[]? _forced;           // NaN = not forced
    private Tensor? _forcedValues;      // forced value, 0 where free
    private Tensor? _freeMask;          // 1 where free, 0 where forced
    private bool _allForced;

    /// <summary>Creates the grid with every log_alpha equal to <paramref name="initialLogAlpha"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive, or the initial value is not finite.</exception>
    public HardConcreteGate(int outputs, int inputs, HardConcrete hc, float initialLogAlpha = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        if (!float.IsFinite(initialLogAlpha)) throw new ArgumentOutOfRangeException(nameof(initialLogAlpha), initialLogAlpha, "must be finite");
        Outputs = outputs;
        Inputs = inputs;
        HardConcrete = hc;
        LogAlpha = AddParameter("log_alpha", Shape.Matrix(outputs, inputs), ParameterInit.Constant(initialLogAlpha));
        _noise = new float[outputs * inputs];
    }

    /// <summary>kOut: output blocks (rows of the grid).</summary>
    public int Outputs { get; }

    /// <summary>kIn: input blocks (columns of the grid).</summary>
    public int Inputs { get; }

    /// <summary>β, γ, ζ.</summary>
    public HardConcrete HardConcrete { get; }

    /// <summary>log_alpha: [kOut, kIn].</summary>
    public Tensor LogAlpha { get; }

    /// <summary>Noise samples drawn so far (training calls of <see cref="Gates"/>); reset by <see cref="Module.Initialize"/>.</summary>
    public long Step { get; private set; }

    /// <summary>True when every connection is forced (then log_alpha is unused).</summary>
    public bool IsFullyForced => _allForced;

    /// <summary>
    /// The gates z: [kOut, kIn]. Training: sampled hard-concrete gates (advancing <see cref="Step"/>);
    /// serving: clamp(sigmoid(log_alpha)·(ζ − γ) + γ, 0, 1). Forced connections take their forced value.
    /// </summary>
    public Tensor Gates(bool training)
    {
        if (_allForced) return _forcedValues!;
        Tensor z;
        if (training)
        {
            ulong offset = (ulong)Step * (ulong)_noise.Length;
            for (int k = 0; k < _noise.Length; k++) _noise[k] = _rng.Uniform(_stream, offset + (ulong)k);
            Step++;
            z = Ops.HardConcreteGates(LogAlpha, _noise, HardConcrete);
        }
        else
        {
            z = Ops.ServingGates(LogAlpha, HardConcrete);
        }
        // z·free + forced: the forced connections get their value and no gradient reaches their log_alpha.
        return _forced is null ? z : Ops.Add(Ops.Multiply(z, _freeMask!), _forcedValues!);
    }

    /// <summary>The expected L0 norm Σ P(z ≠ 0) over all connections (a differentiable scalar).</summary>
    public Tensor Penalty() => Ops.L0Penalty(LogAlpha, HardConcrete);

    /// <summary>The serving gate of connection (output i, input j), its forced value if forced.</summary>
    public float ServingGate(int i, int j)
    {
        float forced = ForcedValue(i, j);
        return float.IsNaN(forced) ? HardConcreteMath.ServingGate(LogAlpha.Data[i * Inputs + j], HardConcrete.Gamma, HardConcrete.Zeta) : forced;
    }

    /// <summary>Every connection's serving gate (forced gates at their forced values) as a new [Outputs, Inputs] row-major array.</summary>
    public float[] ServingGates()
    {
        var z = new float[Outputs * Inputs];
        for (int i = 0; i < Outputs; i++)
            for (int j = 0; j < Inputs; j++)
                z[i * Inputs + j] = ServingGate(i, j);
        return z;
    }

    /// <summary>P(z ≠ 0) of connection (i, j) during training: sigmoid(log_alpha − β·log(−γ/ζ)), or 0/1 for a forced gate.</summary>
    public float ProbabilityNonZero(int i, int j)
    {
        float forced = ForcedValue(i, j);
        if (!float.IsNaN(forced)) return forced == 0f ? 0f : 1f;
        var hc = HardConcrete;
        return HardConcreteMath.ProbabilityNonZero(LogAlpha.Data[i * Inputs + j], hc.Beta, hc.Gamma, hc.Zeta);
    }

    /// <summary>True when connection (i, j) is forced (its log_alpha then receives no gradient).</summary>
    public bool IsForced(int i, int j) => !float.IsNaN(ForcedValue(i, j));

    /// <summary>Forces every gate to 1 (a dense layer).</summary>
    public void ForceOpen() => Force([.. Enumerable.Repeat(1f, Outputs * Inputs)]);

    /// <summary>Forces z_ii = 1 and every other gate to 0 (independent blocks).</summary>
    /// <exception cref="InvalidOperationException">The grid is not square.</exception>
    public void ForceDiagonal()
    {
        if (Outputs != Inputs) throw new InvalidOperationException($"A diagonal needs a square grid; this one is {Outputs}×{Inputs}.");
        var values = new float[Outputs * Inputs];
        for (int i = 0; i < Outputs; i++) values[i * Inputs + i] = 1f;
        Force(values);
    }

    /// <summary>
    /// Forces connection k (row-major over [kOut, kIn]) to values[k] ∈ [0, 1]; NaN leaves it learned.
    /// </summary>
    /// <exception cref="ArgumentException">Not one value per connection, or a value outside [0, 1].</exception>
    public void Force(ReadOnlySpan<float> values)
    {
        if (values.Length != Outputs * Inputs)
            throw new ArgumentException($"{values.Length} values for a {Outputs}×{Inputs} gate grid.", nameof(values));
        var forced = new float[values.Length];
        var fixedValues = new float[values.Length];
        var free = new float[values.Length];
        bool all = true;
        for (int k = 0; k < values.Length; k++)
        {
            float v = values[k];
            if (float.IsNaN(v)) { free[k] = 1f; all = false; }
            else if (v is < 0f or > 1f) throw new ArgumentException($"Forced gate {k} is {v}, outside [0, 1].", nameof(values));
            else fixedValues[k] = v;
            forced[k] = v;
        }
        _forced = forced;
        _forcedValues = Tensor.FromArray(fixedValues, Shape.Matrix(Outputs, Inputs));
        _freeMask = Tensor.FromArray(free, Shape.Matrix(Outputs, Inputs));
        _allForced = all;
    }

    /// <summary>Removes any forcing: every gate is learned again.</summary>
    public void Unforce()
    {
        _forced = null;
        _forcedValues = _freeMask = null;
        _allForced = false;
    }

    /// <inheritdoc/>
    protected override void OnInitialize(ulong seed, string prefix)
    {
        _rng = new CounterRng(seed);
        _stream = StreamOf(prefix + "log_alpha#noise");
        Step = 0;
    }

    private float ForcedValue(int i, int j)
    {
        if ((uint)i >= (uint)Outputs || (uint)j >= (uint)Inputs)
            throw new ArgumentOutOfRangeException(nameof(i), $"Connection ({i}, {j}) is outside a {Outputs}×{Inputs} grid.");
        return _forced is null ? float.NaN : _forced[i * Inputs + j];
    }
}

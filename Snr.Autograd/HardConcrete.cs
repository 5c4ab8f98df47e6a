namespace Snr.Autograd;

/// <summary>
/// Hyper-parameters of the hard-concrete coding variables: temperature β and the stretch
/// interval (γ, ζ). The defaults of Louizos et al. (2018) and of the SNR paper are
/// β = 2/3, γ = −0.1, ζ = 1.1 (<see cref="Default"/>).
/// </summary>
public readonly record struct HardConcrete
{
    /// <summary>Creates the parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">β ≤ 0, γ ≥ 0 or ζ ≤ 1: the stretched interval must contain [0, 1] strictly.</exception>
    public HardConcrete(float beta, float gamma, float zeta)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "The temperature beta must be positive.");
        if (!(gamma < 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be negative (the stretch below 0).");
        if (!(zeta > 1)) throw new ArgumentOutOfRangeException(nameof(zeta), zeta, "zeta must be greater than 1 (the stretch above 1).");
        Beta = beta;
        Gamma = gamma;
        Zeta = zeta;
    }

    /// <summary>β = 2/3, γ = −0.1, ζ = 1.1.</summary>
    public static HardConcrete Default => new(2f / 3f, -0.1f, 1.1f);

    /// <summary>The temperature β of the training distribution.</summary>
    public float Beta { get; }

    /// <summary>The lower end γ &lt; 0 of the stretch interval.</summary>
    public float Gamma { get; }

    /// <summary>The upper end ζ &gt; 1 of the stretch interval.</summary>
    public float Zeta { get; }
}

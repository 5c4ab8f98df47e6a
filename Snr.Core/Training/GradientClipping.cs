using System.Numerics.Tensors;
using Snr.Core.Modules;

namespace Snr.Core.Training;

/// <summary>Gradient-norm clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the global L2 norm of all gradients, ‖g‖ = √(Σ g²) over every parameter that has
    /// one; when it exceeds <paramref name="maxNorm"/>, scales every gradient by maxNorm / (‖g‖ + 1e-6).
    /// </summary>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static float ClipByGlobalNorm(IReadOnlyList<NamedParameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be positive");
        double sumSquares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var t = parameters[i].Tensor;
            if (t.HasGrad) sumSquares += TensorPrimitives.SumOfSquares<float>(t.Grad);
        }
        float norm = (float)Math.Sqrt(sumSquares);
        if (norm > maxNorm)
        {
            float scale = maxNorm / (norm + 1e-6f);
            for (int i = 0; i < parameters.Count; i++)
            {
                var t = parameters[i].Tensor;
                if (t.HasGrad) TensorPrimitives.Multiply(t.Grad, scale, t.Grad);
            }
        }
        return norm;
    }
}

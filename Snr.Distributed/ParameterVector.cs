using Snr.Core.Modules;

namespace Snr.Distributed;

/// <summary>A model's parameters (or their gradients) as one flat vector, in parameter order: the unit the coordinator and workers exchange.</summary>
public static class ParameterVector
{
    /// <summary>Σ of the parameters' sizes: the vector's length.</summary>
    public static int Length(IReadOnlyList<NamedParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        long length = 0;
        for (int i = 0; i < parameters.Count; i++) length += parameters[i].Tensor.Size;
        return checked((int)length);
    }

    /// <summary>Copies every parameter's values into <paramref name="vector"/>.</summary>
    /// <exception cref="ArgumentException">The vector's length is not <see cref="Length"/>.</exception>
    public static void GatherValues(IReadOnlyList<NamedParameter> parameters, Span<float> vector)
    {
        CheckLength(parameters, vector.Length);
        int offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var values = parameters[i].Tensor.Data;
            values.CopyTo(vector[offset..]);
            offset += values.Length;
        }
    }

    /// <summary>Sets every parameter's values from <paramref name="vector"/>.</summary>
    /// <exception cref="ArgumentException">The vector's length is not <see cref="Length"/>.</exception>
    public static void ScatterValues(ReadOnlySpan<float> vector, IReadOnlyList<NamedParameter> parameters)
    {
        CheckLength(parameters, vector.Length);
        int offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var values = parameters[i].Tensor.Data;
            vector.Slice(offset, values.Length).CopyTo(values);
            offset += values.Length;
        }
    }

    /// <summary>Copies every parameter's gradient into <paramref name="vector"/> (zeros for one without) and says which have one.</summary>
    /// <exception cref="ArgumentException">The vector's length is not <see cref="Length"/>, or not one flag per parameter.</exception>
    public static void GatherGradients(IReadOnlyList<NamedParameter> parameters, Span<float> vector, Span<bool> hasGradient)
    {
        CheckLengths(parameters, vector.Length, hasGradient.Length);
        int offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var tensor = parameters[i].Tensor;
            var slice = vector.Slice(offset, tensor.Size);
            hasGradient[i] = tensor.HasGrad;
            if (tensor.HasGrad) tensor.Grad.CopyTo(slice);
            else slice.Clear();
            offset += tensor.Size;
        }
    }

    /// <summary>
    /// Sets the gradient of every parameter flagged in <paramref name="hasGradient"/> from <paramref name="vector"/>
    /// (allocating it when needed); the others keep theirs.
    /// </summary>
    /// <exception cref="ArgumentException">The vector's length is not <see cref="Length"/>, or not one flag per parameter.</exception>
    public static void ScatterGradients(ReadOnlySpan<float> vector, ReadOnlySpan<bool> hasGradient, IReadOnlyList<NamedParameter> parameters)
    {
        CheckLengths(parameters, vector.Length, hasGradient.Length);
        int offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var tensor = parameters[i].Tensor;
            if (hasGradient[i])
            {
                if (!tensor.HasGrad) tensor.ZeroGrad();
                vector.Slice(offset, tensor.Size).CopyTo(tensor.Grad);
            }
            offset += tensor.Size;
        }
    }

    private static void CheckLength(IReadOnlyList<NamedParameter> parameters, int length)
    {
        int expected = Length(parameters);
        if (length != expected) throw new ArgumentException($"A vector of {length} values for parameters of {expected}.");
    }

    // A gradient vector and its flags: the vector as above, and one flag per parameter.
    private static void CheckLengths(IReadOnlyList<NamedParameter> parameters, int length, int flags)
    {
        CheckLength(parameters, length);
        if (flags != parameters.Count) throw new ArgumentException($"{flags} flags for {parameters.Count} parameters.", "hasGradient");
    }
}

namespace Snr.Core.Models;

/// <summary>
/// Categorical inputs: the last <c>Cardinalities.Length</c> of a model's <see cref="ModelConfig.InputDim"/>
/// input columns hold category indices (as floats; exact below 2²⁴), each looked up in its own
/// embedding table of <c>Cardinalities[c]</c> rows and <c>Dims[c]</c> columns. The numeric
/// columns come first and pass through unchanged.
/// </summary>
public sealed record InputEmbeddingConfig
{
    /// <summary>Rows of each table (categories, including the "unknown" slot 0).</summary>
    public int[] Cardinalities { get; init; } = [];

    /// <summary>Width of each table's vectors.</summary>
    public int[] Dims { get; init; } = [];

    /// <summary>
    /// A dimension for a column of <paramref name="cardinality"/> categories: ⌈1.6·n^0.56⌉
    /// (the fast.ai rule of thumb), capped at <paramref name="max"/>.
    /// </summary>
    public static int DefaultDim(int cardinality, int max = 16) =>
        Math.Clamp((int)Math.Ceiling(1.6 * Math.Pow(cardinality, 0.56)), 1, max);

    /// <summary>Checks the tables against the input width.</summary>
    /// <exception cref="ConfigException">The arrays differ in length, a size is not positive, or there are more tables than input columns.</exception>
    public void Validate(int inputDim)
    {
        if (Cardinalities is null || Dims is null) throw new ConfigException("embeddings", "cardinalities and dims are required");
        if (Cardinalities.Length != Dims.Length)
            throw new ConfigException("embeddings.dims", $"{Dims.Length} dims for {Cardinalities.Length} cardinalities");
        if (Cardinalities.Length > inputDim)
            throw new ConfigException("embeddings.cardinalities", $"{Cardinalities.Length} categorical columns but input_dim is {inputDim}");
        for (int c = 0; c < Cardinalities.Length; c++)
        {
            if (Cardinalities[c] <= 0) throw new ConfigException($"embeddings.cardinalities[{c}]", $"must be positive, got {Cardinalities[c]}");
            if (Dims[c] <= 0) throw new ConfigException($"embeddings.dims[{c}]", $"must be positive, got {Dims[c]}");
        }
    }
}

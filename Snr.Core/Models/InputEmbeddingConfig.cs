namespace Snr.Core.Models;

/// <summary>
/// Categorical inputs: each of a row's <c>Cardinalities.Length</c> category indices (<c>int</c>) is looked up
/// in its own embedding table of <c>Cardinalities[c]</c> rows and <c>Dims[c]</c> columns; the vectors follow
/// the numeric inputs, which pass through unchanged.
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

    /// <summary>Checks the tables.</summary>
    /// <exception cref="ConfigException">The arrays differ in length or a size is not positive.</exception>
    public void Validate()
    {
        if (Cardinalities is null || Dims is null) throw new ConfigException("embeddings", "cardinalities and dims are required");
        if (Cardinalities.Length != Dims.Length)
            throw new ConfigException("embeddings.dims", $"{Dims.Length} dims for {Cardinalities.Length} cardinalities");
        for (int c = 0; c < Cardinalities.Length; c++)
        {
            if (Cardinalities[c] <= 0) throw new ConfigException($"embeddings.cardinalities[{c}]", $"must be positive, got {Cardinalities[c]}");
            if (Dims[c] <= 0) throw new ConfigException($"embeddings.dims[{c}]", $"must be positive, got {Dims[c]}");
        }
    }
}

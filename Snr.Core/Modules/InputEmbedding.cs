using Snr.Autograd;
using Snr.Core.Models;

namespace Snr.Core.Modules;

/// <summary>
/// Turns input rows into the model's dense input [batch, numeric + Σ dims]: the numeric inputs unchanged, then
/// each categorical input's index looked up in its embedding table (<c>embeddings.c</c>, [cardinality, dim]).
/// Only the rows of a table that a batch touches receive a gradient.
/// </summary>
public sealed class InputEmbedding : Module
{
    private readonly Tensor[] _tables;
    private readonly int[][] _indices;
    private readonly Tensor[] _parts;

    /// <summary>Creates the tables, initialised U(−√3, √3) (unit variance, like PyTorch's N(0, 1)).</summary>
    /// <exception cref="ConfigException">The tables are invalid.</exception>
    public InputEmbedding(InputEmbeddingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var init = new ParameterInit(-MathF.Sqrt(3f), MathF.Sqrt(3f));
        _tables = [.. AddModules("embeddings", config.Cardinalities.Length, c => new EmbeddingTable(config.Cardinalities[c], config.Dims[c], init)).Select(e => e.Table)];
        _indices = new int[_tables.Length][];
        _parts = new Tensor[_tables.Length + 1];
    }

    /// <summary>The tables, in column order.</summary>
    public IReadOnlyList<Tensor> Tables => _tables;

    /// <summary>
    /// [numeric | e₀[categorical[:, 0]] | e₁[categorical[:, 1]] | …]. numeric: [batch, numeric inputs];
    /// categorical: [batch, tables] category indices, row-major.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same batch.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside its table.</exception>
    public Tensor Forward(Tensor numeric, ReadOnlySpan<int> categorical)
    {
        ArgumentNullException.ThrowIfNull(numeric);
        int rows = numeric.Rows, count = _tables.Length;
        if (categorical.Length != rows * count)
            throw new ArgumentException($"categorical has {categorical.Length} indices but {rows} rows × {count} categorical inputs need {rows * count}.", nameof(categorical));
        _parts[0] = numeric;
        for (int c = 0; c < count; c++)
        {
            if (_indices[c] is null || _indices[c].Length < rows) _indices[c] = new int[rows];
            Span<int> indices = _indices[c].AsSpan(0, rows);
            for (int r = 0; r < rows; r++) indices[r] = categorical[r * count + c];
            _parts[c + 1] = Ops.Embedding(_tables[c], indices);
        }
        return _parts.Length == 1 ? _parts[0] : Ops.ConcatColumns(_parts);
    }

    private sealed class EmbeddingTable : Module
    {
        public EmbeddingTable(int rows, int dim, ParameterInit init) =>
            Table = AddParameter("weight", Shape.Matrix(rows, dim), init, rowSparse: true);

        public Tensor Table { get; }
    }
}

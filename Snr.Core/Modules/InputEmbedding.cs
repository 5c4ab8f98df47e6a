using Snr.Autograd;
using Snr.Core.Models;

namespace Snr.Core.Modules;

/// <summary>
/// Turns raw input rows [batch, numeric + categorical] into model inputs
/// [batch, numeric + Σ dims]: the numeric columns unchanged, then each categorical column's
/// index looked up in its embedding table (<c>embeddings.c</c>, [cardinality, dim]).
/// Only the rows of a table that a batch touches receive a gradient.
/// </summary>
public sealed class InputEmbedding : Module
{
    private readonly Tensor[] _tables;
    private readonly int[][] _indices;
    private readonly Tensor[] _parts;

    /// <summary>Creates the tables, initialised U(−√3, √3) (unit variance, like PyTorch's N(0, 1)).</summary>
    public InputEmbedding(int inputDim, InputEmbeddingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(inputDim);
        Numeric = inputDim - config.Cardinalities.Length;
        var list = AddModule("embeddings", new ModuleList());
        _tables = new Tensor[config.Cardinalities.Length];
        var init = new ParameterInit(-MathF.Sqrt(3f), MathF.Sqrt(3f));
        for (int c = 0; c < _tables.Length; c++)
            _tables[c] = list.Add(c, new EmbeddingTable(config.Cardinalities[c], config.Dims[c], init)).Table;
        _indices = new int[_tables.Length][];
        _parts = new Tensor[_tables.Length + 1];
        OutputWidth = Numeric + config.Dims.Sum();
    }

    /// <summary>Numeric columns at the front of the input.</summary>
    public int Numeric { get; }

    /// <summary>Columns of the output: numeric plus every table's width.</summary>
    public int OutputWidth { get; }

    /// <summary>The tables, in column order.</summary>
    public IReadOnlyList<Tensor> Tables => _tables;

    /// <summary>[numeric | e₀[x[:, N]] | e₁[x[:, N+1]] | …].</summary>
    /// <exception cref="ArgumentOutOfRangeException">A categorical column holds something other than an index of its table.</exception>
    public Tensor Forward(Tensor x)
    {
        int rows = x.Rows, cols = x.Cols;
        _parts[0] = Ops.SliceColumns(x, 0, Numeric);
        for (int c = 0; c < _tables.Length; c++)
        {
            if (_indices[c] is null || _indices[c].Length < rows) _indices[c] = new int[rows];
            Span<int> indices = _indices[c].AsSpan(0, rows);
            ReadOnlySpan<float> data = x.Data;
            for (int r = 0; r < rows; r++)
            {
                float v = data[r * cols + Numeric + c];
                int index = (int)v;
                if (index != v || (uint)index >= (uint)_tables[c].Rows)
                    throw new ArgumentOutOfRangeException(nameof(x), $"Row {r}, categorical column {c}: {v} is not an index of a table with {_tables[c].Rows} rows.");
                indices[r] = index;
            }
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

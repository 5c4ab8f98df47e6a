using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y[r, :] = table[indices[r], :]: a row gathered per index. table: [vocabulary, dim], y: [indices.Length, dim].
    /// The backward scatter-adds into the table's gradient, so repeated indices accumulate.
    /// </summary>
    /// <exception cref="ArgumentException">The table is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, vocabulary).</exception>
    public static Tensor Embedding(Tensor table, ReadOnlySpan<int> indices)
    {
        RequireMatrix(nameof(Embedding), table, nameof(table));
        int dim = table.Cols;
        for (int r = 0; r < indices.Length; r++)
            if ((uint)indices[r] >= (uint)table.Rows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Embedding: index {indices[r]} at position {r} is outside a table of shape {table.Shape}.");
        bool tracks = Tracks(table);
        var y = Result(Shape.Matrix(indices.Length, dim), tracks);
        for (int r = 0; r < indices.Length; r++)
            table.Data.Slice(indices[r] * dim, dim).CopyTo(y.Data.Slice(r * dim, dim));
        if (tracks)
        {
            var tape = Tape.Current;
            var saved = tape.RentInts(indices.Length);
            indices.CopyTo(saved);
            tape.Record(y, new EmbeddingOp(table, saved));
        }
        return y;
    }

    // dtable[indices[r], :] += dy[r, :]
    private readonly record struct EmbeddingOp(Tensor Table, int[] Indices) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            var indices = Indices;
            Tensor table = Table, y = output;
            Span<float> dTable = tape.GradOf(table);
            int dim = table.Cols;
            for (int r = 0; r < indices.Length; r++)
            {
                Span<float> row = dTable.Slice(indices[r] * dim, dim);
                TensorPrimitives.Add(row, y.Grad.Slice(r * dim, dim), row);
            }
        }
    }
}

namespace Snr.Autograd;

/// <summary>
/// The shape of a <see cref="Tensor"/>: a scalar <c>[]</c>, a vector <c>[n]</c> or a
/// row-major matrix <c>[rows, cols]</c>. Snr's models need no higher rank, and a fixed
/// small shape keeps tensors allocation-free to reshape and to recycle.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int _dim0, _dim1;

    /// <summary>0 for a scalar, 1 for a vector, 2 for a matrix.</summary>
    public int Rank { get; }

    private Shape(int rank, int dim0, int dim1)
    {
        Rank = rank;
        _dim0 = dim0;
        _dim1 = dim1;
    }

    /// <summary>The scalar shape <c>[]</c>.</summary>
    public static Shape Scalar => new(0, 1, 1);

    /// <summary>The vector shape <c>[length]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static Shape Vector(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new(1, length, 1);
    }

    /// <summary>The matrix shape <c>[rows, cols]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static Shape Matrix(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        return new(2, rows, cols);
    }

    /// <summary>A shape from its dimensions, as in PyTorch: <c>()</c>, <c>(n)</c> or <c>(rows, cols)</c>.</summary>
    /// <exception cref="ArgumentException">More than two dimensions.</exception>
    public static Shape Of(ReadOnlySpan<int> dims) => dims.Length switch
    {
        0 => Scalar,
        1 => Vector(dims[0]),
        2 => Matrix(dims[0], dims[1]),
        _ => throw new ArgumentException($"Snr tensors have rank 0, 1 or 2; got {dims.Length} dimensions.", nameof(dims)),
    };

    /// <summary>The dimensions, PyTorch-style: <c>[]</c>, <c>[n]</c> or <c>[rows, cols]</c> (the inverse of <see cref="Of"/>).</summary>
    public int[] ToArray() => Rank switch
    {
        0 => [],
        1 => [_dim0],
        _ => [_dim0, _dim1],
    };

    /// <summary>The number of elements.</summary>
    public int Size => Rank switch { 0 => 1, 1 => _dim0, _ => _dim0 * _dim1 };

    /// <summary>Rows when viewed as a matrix: a vector or a scalar is one row.</summary>
    public int Rows => Rank == 2 ? _dim0 : 1;

    /// <summary>Columns when viewed as a matrix: the last dimension (1 for a scalar).</summary>
    public int Cols => Rank switch { 0 => 1, 1 => _dim0, _ => _dim1 };

    /// <summary>Dimension <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is not below <see cref="Rank"/>.</exception>
    public int this[int axis] => axis >= 0 && axis < Rank
        ? (axis == 0 ? _dim0 : _dim1)
        : throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} of a rank-{Rank} shape {this}.");

    /// <inheritdoc/>
    public bool Equals(Shape other) => Rank == other.Rank && _dim0 == other._dim0 && _dim1 == other._dim1;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, _dim0, _dim1);

    /// <summary>Equal rank and dimensions.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Different rank or dimensions.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>PyTorch's notation: <c>[]</c>, <c>[7]</c>, <c>[5, 7]</c>.</summary>
    public override string ToString() => Rank switch
    {
        0 => "[]",
        1 => $"[{_dim0}]",
        _ => $"[{_dim0}, {_dim1}]",
    };
}

namespace Snr.Core.Tabular;

/// <summary>
/// The <see cref="RowRole"/> of every row of a file under a <see cref="HashSplit"/>, kept per chunk
/// (2 bits a row: 2.5 MB per 10 million rows), so a row's content is hashed once, in the fitting
/// pass, and not again to find its role in every later pass.
/// </summary>
/// <remarks>
/// A chunk's roles are keyed by its number and its row count: a chunk read back with another
/// number of rows (the file changed) has no recorded roles and is hashed again.
/// </remarks>
internal sealed class RowRoles
{
    private readonly List<(int Rows, byte[] Packed)?> _chunks;

    public RowRoles() => _chunks = [];

    private RowRoles(List<(int Rows, byte[] Packed)?> chunks) => _chunks = chunks;

    /// <summary>The packed roles of chunk <paramref name="chunk"/> if they were recorded for <paramref name="rows"/> rows, else null.</summary>
    public byte[]? Of(int chunk, int rows) =>
        chunk < _chunks.Count && _chunks[chunk] is { } known && known.Rows == rows ? known.Packed : null;

    /// <summary>
    /// Records the roles under <paramref name="split"/> of the rows of chunk <paramref name="chunk"/>, whose content hashes
    /// are <paramref name="hashes"/> (one per row), and returns them packed, 4 a byte.
    /// </summary>
    public byte[] Record(int chunk, ReadOnlySpan<ulong> hashes, HashSplit split)
    {
        var packed = new byte[(hashes.Length + 3) / 4];
        for (int row = 0; row < hashes.Length; row++) packed[row >> 2] |= (byte)((int)split.RoleOf(hashes[row]) << ((row & 3) * 2));
        while (_chunks.Count <= chunk) _chunks.Add(null);
        _chunks[chunk] = (hashes.Length, packed);
        return packed;
    }

    /// <summary>A copy that records on its own (the packed arrays are never changed once recorded, so they are shared).</summary>
    public RowRoles Copy() => new([.. _chunks]);

    /// <summary>The role of row <paramref name="row"/> in roles packed by <see cref="Record"/>.</summary>
    public static RowRole At(byte[] packed, int row) => (RowRole)((packed[row >> 2] >> ((row & 3) * 2)) & 3);
}

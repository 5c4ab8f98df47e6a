using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Serialization;

namespace Snr.Core.Tabular;

/// <summary>The seeded split a model's data went through (see <see cref="DataSplit.Shuffled"/>).</summary>
/// <param name="Seed">The split's seed.</param>
/// <param name="Train">The training fraction.</param>
/// <param name="Validation">The validation fraction; the rest is the test set.</param>
public sealed record SplitRecipe(ulong Seed, double Train, double Validation)
{
    /// <summary>The split of a table of <paramref name="rows"/> rows.</summary>
    public DataSplit Apply(int rows) => DataSplit.Shuffled(rows, Seed, Train, Validation);
}

/// <summary>
/// The rows of a table that a model has not seen, as <see cref="TrainingDataIdentity.Unseen"/> finds them.
/// </summary>
/// <param name="Rows">The row indices to evaluate on.</param>
/// <param name="IsTestSplit">True when the table is the training table (same content) and <paramref name="Rows"/> is its recorded test split.</param>
/// <param name="Excluded">How many rows were left out as seen (training or validation) rows.</param>
public sealed record UnseenRows(int[] Rows, bool IsTestSplit, int Excluded);

/// <summary>
/// Which data a model's preprocessing was fitted on, identified by content rather than by
/// path: a hash of the whole table, the seeded split when there was one, and the hashes of
/// the rows the model saw (training and validation rows, of one table or several).
/// </summary>
/// <remarks>
/// A row's hash covers the values of the schema's columns that are not ignored (inputs and
/// labels), by column name, with <c>?</c> and the empty field hashed alike; so a copy of the
/// file, another path spelling, other line endings, another delimiter or reordered columns all
/// identify the same rows. The content hash also covers row order, because the split is by
/// position. Row hashes are kept as sorted distinct 32-bit values: 4 bytes a seen row, with a
/// false match for a new row of about (seen rows) / 2³² (2·10⁻⁵ for 80,000). A checkpoint stores
/// them as a byte tensor beside the weights (<see cref="SeenRowHashesTensor"/>); checkpoints
/// saved before that hold them as base64 in the document (<see cref="SeenRowHashes"/>).
/// </remarks>
/// <param name="ContentHash">64-bit hash of every row of the (training) table in order, as 16 hex digits.</param>
/// <param name="Rows">The number of rows of the (training) table.</param>
/// <param name="Split">The split, when the model was trained on a seeded split of this table; null when the seen rows were chosen otherwise.</param>
public sealed record TrainingDataIdentity(string ContentHash, int Rows, SplitRecipe? Split)
{
    private const ulong FnvOffset = 14695981039346656037UL, FnvPrime = 1099511628211UL;

    // The sorted distinct 32-bit hashes of the seen rows; empty in a document read from JSON until
    // the stored hashes are attached (WithStoredHashes).
    private uint[] _seenHashes = [];

    /// <summary>The number of distinct hashes of the rows the model saw.</summary>
    public int SeenRowCount { get; init; }

    /// <summary>The name of the <c>U8</c> tensor of the checkpoint that holds the seen rows' hashes (<see cref="SeenRowCount"/> × 4 bytes, little-endian, ascending); null in memory and in older checkpoints.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SeenRowHashesTensor { get; init; }

    /// <summary>Base64 of the seen rows' hashes (the same bytes), as checkpoints saved before <see cref="SeenRowHashesTensor"/> hold them; read, never written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SeenRowHashes { get; init; }

    /// <summary>The identity of <paramref name="table"/> under <paramref name="schema"/> when the model saw <paramref name="seenRows"/> of it.</summary>
    /// <exception cref="ArgumentException">The table lacks a column of the schema.</exception>
    public static TrainingDataIdentity Of(RawTable table, TabularSchema schema, ReadOnlySpan<int> seenRows, SplitRecipe? split) =>
        Of(table, schema, seenRows, split, alsoSeen: []);

    /// <summary>
    /// The identity of <paramref name="table"/> under <paramref name="schema"/> when the model saw
    /// <paramref name="seenRows"/> of it and every row of the <paramref name="alsoSeen"/> tables (a
    /// separate validation file, say); the content hash and the split are <paramref name="table"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">A table lacks a column of the schema.</exception>
    public static TrainingDataIdentity Of(RawTable table, TabularSchema schema, ReadOnlySpan<int> seenRows, SplitRecipe? split, IReadOnlyList<RawTable> alsoSeen)
    {
        ulong[] rows = RowHashes(table, schema);
        var seen = new List<uint>(seenRows.Length + alsoSeen.Sum(t => t.RowCount));
        foreach (int row in seenRows) seen.Add(Short(rows[row]));
        foreach (var other in alsoSeen)
            foreach (ulong row in RowHashes(other, schema)) seen.Add(Short(row));
        return FromShortHashes(ContentHashOf(rows), table.RowCount, split, [.. seen]);
    }

    /// <summary>
    /// The identity of a table read as a stream: <paramref name="contentHash"/> from a
    /// <see cref="ContentHasher"/> over every row hash in order, and the row hashes of the seen rows.
    /// </summary>
    internal static TrainingDataIdentity FromRowHashes(string contentHash, int rows, SplitRecipe? split, IEnumerable<ulong> seenRows) =>
        FromShortHashes(contentHash, rows, split, [.. seenRows.Select(Short)]);

    // Sorts the seen rows' short hashes (in place; repeats allowed) and keeps the distinct ones.
    private static TrainingDataIdentity FromShortHashes(string contentHash, int rowCount, SplitRecipe? split, uint[] seen)
    {
        Array.Sort(seen);
        int distinct = 0;
        for (int i = 0; i < seen.Length; i++)
            if (i == 0 || seen[i] != seen[i - 1]) seen[distinct++] = seen[i];
        return new TrainingDataIdentity(contentHash, rowCount, split) { SeenRowCount = distinct, _seenHashes = seen[..distinct] };
    }

    /// <summary>
    /// The rows of <paramref name="table"/> this model has not seen: the recorded test split when
    /// the table has the training table's content and a split was recorded; otherwise every row
    /// whose content is not that of a training or validation row.
    /// </summary>
    /// <exception cref="ArgumentException">The table lacks a column of the schema.</exception>
    /// <exception cref="InvalidOperationException">The identity was read from JSON and its stored hashes were not attached (<see cref="WithStoredHashes"/>).</exception>
    public UnseenRows Unseen(RawTable table, TabularSchema schema)
    {
        ulong[] rows = RowHashes(table, schema);
        if (TestSplitOf(rows) is { } test) return new UnseenRows(test, IsTestSplit: true, Rows - test.Length);
        RequireHashes();
        int[] unseen = [.. Enumerable.Range(0, rows.Length).Where(r => !IsSeen(rows[r]))];
        return new UnseenRows(unseen, IsTestSplit: false, rows.Length - unseen.Length);
    }

    /// <summary>The recorded test split when rows whose hashes (see <see cref="RowHasher"/>) are <paramref name="rowHashes"/>, in order, have the training table's content; else null.</summary>
    internal int[]? TestSplitOf(ReadOnlySpan<ulong> rowHashes) =>
        Split is not null && rowHashes.Length == Rows && ContentHashOf(rowHashes) == ContentHash ? Split.Apply(Rows).Test : null;

    /// <summary>True when a row whose hash (see <see cref="RowHasher"/>) is <paramref name="rowHash"/> has the content of a row the model saw.</summary>
    /// <exception cref="InvalidOperationException">The identity was read from JSON and its stored hashes were not attached.</exception>
    internal bool IsSeen(ulong rowHash)
    {
        RequireHashes();
        return Array.BinarySearch(_seenHashes, Short(rowHash)) >= 0;
    }

    /// <summary>
    /// This identity as a checkpoint stores it: the document refers to the tensor
    /// <paramref name="tensorName"/> (and counts its hashes), which is to hold the returned bytes
    /// (the sorted hashes, 4 bytes each, little-endian).
    /// </summary>
    /// <exception cref="InvalidOperationException">The identity was read from JSON and its stored hashes were not attached.</exception>
    public (TrainingDataIdentity Document, byte[] HashBytes) ToStorage(string tensorName)
    {
        RequireHashes();
        var bytes = new byte[_seenHashes.Length * 4];
        for (int i = 0; i < _seenHashes.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), _seenHashes[i]);
        return (this with { SeenRowHashesTensor = tensorName, SeenRowHashes = null }, bytes);
    }

    /// <summary>
    /// This identity, as read from a checkpoint's document, with its hashes attached: from the
    /// tensor the document names (found by <paramref name="tensor"/>), or, for a checkpoint saved
    /// before hashes were stored as a tensor, from the base64 in the document.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The hashes are missing, corrupt or do not match the document: the named tensor is absent,
    /// its size is not <see cref="SeenRowCount"/> × 4 bytes, the base64 is invalid, or the hashes
    /// are not strictly ascending.
    /// </exception>
    public TrainingDataIdentity WithStoredHashes(Func<string, byte[]?> tensor)
    {
        byte[] bytes;
        string where;
        if (SeenRowHashesTensor is { } name)
        {
            where = $"tensor '{name}'";
            bytes = tensor(name) ?? throw new InvalidDataException($"training_data names the row-hash tensor '{name}', which the file does not hold.");
            if (bytes.Length != 4L * SeenRowCount)
                throw new InvalidDataException($"{where} holds {bytes.Length} bytes but training_data.seen_row_count {SeenRowCount} needs {4L * SeenRowCount}.");
        }
        else if (SeenRowHashes is { } base64)
        {
            where = "training_data.seen_row_hashes";
            try
            {
                bytes = Convert.FromBase64String(base64);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{where} is not base64.", e);
            }
            if (bytes.Length % 4 != 0) throw new InvalidDataException($"{where} holds {bytes.Length} bytes, not a multiple of 4.");
        }
        else throw new InvalidDataException("training_data holds neither seen_row_hashes_tensor nor seen_row_hashes.");
        var seen = new uint[bytes.Length / 4];
        for (int i = 0; i < seen.Length; i++)
        {
            seen[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4));
            if (i > 0 && seen[i] <= seen[i - 1])
                throw new InvalidDataException($"{where} is corrupt: hash {i} is not above the one before it (they are stored in ascending order).");
        }
        return this with { SeenRowCount = seen.Length, SeenRowHashes = null, _seenHashes = seen };
    }

    /// <summary>True when <paramref name="other"/> has the same content hash, rows, split, seen rows' hashes and storage fields.</summary>
    public bool Equals(TrainingDataIdentity? other) =>
        other is not null && ContentHash == other.ContentHash && Rows == other.Rows && Equals(Split, other.Split)
        && SeenRowCount == other.SeenRowCount && SeenRowHashesTensor == other.SeenRowHashesTensor && SeenRowHashes == other.SeenRowHashes
        && _seenHashes.AsSpan().SequenceEqual(other._seenHashes);

    /// <summary>A hash of the content hash, rows, split and the number of seen rows.</summary>
    public override int GetHashCode() => HashCode.Combine(ContentHash, Rows, Split, SeenRowCount);

    private void RequireHashes()
    {
        if (SeenRowHashes is not null || _seenHashes.Length != SeenRowCount)
            throw new InvalidOperationException("This training-data identity was read without its row hashes; attach them with WithStoredHashes.");
    }

    /// <summary>The columns whose values identify a row: every column of the schema but the ignored ones, label columns included.</summary>
    internal static IEnumerable<string> HashedColumns(TabularSchema schema) =>
        schema.Columns.Where(c => c.Kind != ColumnKind.Ignored || schema.Tasks.Any(t => t.Column == c.Name)).Select(c => c.Name);

    /// <summary>The hash of one field's text, as row hashes combine them (<c>?</c> and empty alike).</summary>
    internal static ulong FieldHash(ReadOnlySpan<char> text)
    {
        ulong h = FnvOffset;
        foreach (char c in TabularSchema.IsMissing(text) ? TabularSchema.MissingLevel : text) h = (h ^ c) * FnvPrime;
        return Mix(h);
    }

    /// <summary>The hash of a row from its fields' hashes, in the order of <see cref="HashedColumns"/>.</summary>
    internal static ulong RowHash(ReadOnlySpan<ulong> fieldHashes)
    {
        ulong h = FnvOffset;
        foreach (ulong field in fieldHashes) h = (h ^ field) * FnvPrime;
        return Mix(h);
    }

    /// <summary>The running hash of a table's rows in order (the table's <see cref="ContentHash"/>); the row count comes first.</summary>
    internal struct ContentHasher(long rows)
    {
        private ulong _hash = FnvOffset ^ (ulong)rows;

        public void Add(ulong rowHash) => _hash = (_hash ^ rowHash) * FnvPrime;

        public readonly string Result => Mix(_hash).ToString("x16", CultureInfo.InvariantCulture);
    }

    // One 64-bit hash per row over the schema's non-ignored columns (each distinct text hashed once).
    private static ulong[] RowHashes(RawTable table, TabularSchema schema)
    {
        var columns = HashedColumns(schema).Select(table.ColumnIndex).ToArray();
        var levelHashes = columns.Select(c => table.Levels(c).Select(level => FieldHash(level)).ToArray()).ToArray();
        var rows = new ulong[table.RowCount];
        var fields = new ulong[columns.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int i = 0; i < columns.Length; i++) fields[i] = levelHashes[i][table.Code(r, columns[i])];
            rows[r] = RowHash(fields);
        }
        return rows;
    }

    private static string ContentHashOf(ReadOnlySpan<ulong> rows)
    {
        var hasher = new ContentHasher(rows.Length);
        foreach (ulong row in rows) hasher.Add(row);
        return hasher.Result;
    }

    // Spreads FNV's weak high bits before a hash is shortened.
    private static ulong Mix(ulong z) => Data.SplitMix64.Finalize(z);

    private static uint Short(ulong hash) => (uint)(hash >> 32);
}

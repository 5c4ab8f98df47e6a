using System.Buffers.Binary;
using System.Globalization;

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
/// the rows the model saw (training and validation rows).
/// </summary>
/// <remarks>
/// A row's hash covers the values of the schema's columns that are not ignored (inputs and
/// labels), by column name, with <c>?</c> and the empty field hashed alike; so a copy of the
/// file, another path spelling, other line endings, another delimiter or reordered columns all
/// identify the same rows. The content hash also covers row order, because the split is by
/// position. Row hashes are stored as sorted distinct 32-bit values (base64): about 4 bytes a
/// seen row, with a false match for a new row of about (seen rows) / 2³² (2·10⁻⁵ for 80,000).
/// </remarks>
/// <param name="ContentHash">64-bit hash of every row in order, as 16 hex digits.</param>
/// <param name="Rows">The number of rows of the table.</param>
/// <param name="Split">The split, when the model was trained on a seeded split of this table; null when the seen rows were chosen otherwise.</param>
/// <param name="SeenRowHashes">Base64 of the sorted distinct 32-bit hashes (little-endian) of the rows the model saw.</param>
public sealed record TrainingDataIdentity(string ContentHash, int Rows, SplitRecipe? Split, string SeenRowHashes)
{
    private const ulong FnvOffset = 14695981039346656037UL, FnvPrime = 1099511628211UL;

    /// <summary>The identity of <paramref name="table"/> under <paramref name="schema"/> when the model saw <paramref name="seenRows"/>.</summary>
    /// <exception cref="ArgumentException">The table lacks a column of the schema.</exception>
    public static TrainingDataIdentity Of(RawTable table, TabularSchema schema, ReadOnlySpan<int> seenRows, SplitRecipe? split)
    {
        ulong[] rows = RowHashes(table, schema);
        var seen = new uint[seenRows.Length];
        for (int i = 0; i < seen.Length; i++) seen[i] = Short(rows[seenRows[i]]);
        return FromShortHashes(ContentHashOf(rows), table.RowCount, split, seen);
    }

    /// <summary>
    /// The identity of a table read as a stream: <paramref name="contentHash"/> from a
    /// <see cref="ContentHasher"/> over every row hash in order, and the row hashes of the seen rows.
    /// </summary>
    internal static TrainingDataIdentity FromRowHashes(string contentHash, int rows, SplitRecipe? split, IEnumerable<ulong> seenRows) =>
        FromShortHashes(contentHash, rows, split, [.. seenRows.Select(Short)]);

    // Sorts the seen rows' short hashes (in place) and stores the distinct ones.
    private static TrainingDataIdentity FromShortHashes(string contentHash, int rowCount, SplitRecipe? split, uint[] seen)
    {
        Array.Sort(seen);
        int distinct = 0;
        for (int i = 0; i < seen.Length; i++)
            if (i == 0 || seen[i] != seen[i - 1]) seen[distinct++] = seen[i];
        var bytes = new byte[distinct * 4];
        for (int i = 0; i < distinct; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), seen[i]);
        return new TrainingDataIdentity(contentHash, rowCount, split, Convert.ToBase64String(bytes));
    }

    /// <summary>
    /// The rows of <paramref name="table"/> this model has not seen: the recorded test split when
    /// the table has the training table's content and a split was recorded; otherwise every row
    /// whose content is not that of a training or validation row.
    /// </summary>
    /// <exception cref="ArgumentException">The table lacks a column of the schema.</exception>
    /// <exception cref="InvalidDataException">The recorded row hashes are not valid base64 of 32-bit values.</exception>
    public UnseenRows Unseen(RawTable table, TabularSchema schema)
    {
        ulong[] rows = RowHashes(table, schema);
        if (Split is not null && table.RowCount == Rows && ContentHashOf(rows) == ContentHash)
        {
            int[] test = Split.Apply(Rows).Test;
            return new UnseenRows(test, IsTestSplit: true, Rows - test.Length);
        }
        var seen = SeenHashes();
        int[] unseen = [.. Enumerable.Range(0, rows.Length).Where(r => Array.BinarySearch(seen, Short(rows[r])) < 0)];
        return new UnseenRows(unseen, IsTestSplit: false, rows.Length - unseen.Length);
    }

    private uint[] SeenHashes()
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(SeenRowHashes);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException("The model's training_data.seen_row_hashes is not base64.", e);
        }
        if (bytes.Length % 4 != 0) throw new InvalidDataException($"The model's training_data.seen_row_hashes holds {bytes.Length} bytes, not a multiple of 4.");
        var seen = new uint[bytes.Length / 4];
        for (int i = 0; i < seen.Length; i++) seen[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4));
        return seen;
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

    private static string ContentHashOf(ulong[] rows)
    {
        var hasher = new ContentHasher(rows.Length);
        foreach (ulong row in rows) hasher.Add(row);
        return hasher.Result;
    }

    // The SplitMix64 finaliser: spreads FNV's weak high bits before a hash is shortened.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static uint Short(ulong hash) => (uint)(hash >> 32);
}
